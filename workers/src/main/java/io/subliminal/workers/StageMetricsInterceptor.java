package io.subliminal.workers;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.subliminal.workflows.stage.StageResult;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * Records every activity's duration ({@code subliminal_stage_duration_seconds{stage,outcome}}) and, for stage
 * results, their throughput ({@code subliminal_stage_tokens_per_second{stage}}).
 */
@Singleton
public class StageMetricsInterceptor extends WorkerInterceptorBase {
    private final MeterRegistry registry;

    public StageMetricsInterceptor(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
        return new ActivityInboundCallsInterceptorBase(next) {
            private String stage = "unknown";

            @Override
            public void init(ActivityExecutionContext context) {
                stage = context.getInfo().getActivityType();
                super.init(context);
            }

            @Override
            public ActivityOutput execute(ActivityInput input) {
                Timer.Sample sample = Timer.start(registry);
                String outcome = "failed";
                try {
                    ActivityOutput output = super.execute(input);
                    outcome = "completed";
                    if (output.getResult() instanceof StageResult result) {
                        Map<String, Double> metrics = result.outputMetrics();
                        Double tokensPerSecond = metrics.get("tokensPerSecond");
                        if (tokensPerSecond != null) {
                            DistributionSummary.builder("subliminal.stage.tokens.per.second").tag("stage", stage)
                                    .register(registry).record(tokensPerSecond);
                        }
                    }
                    return output;
                } finally {
                    sample.stop(Timer.builder("subliminal.stage.duration").tag("stage", stage).tag("outcome", outcome)
                            .register(registry));
                }
            }
        };
    }
}
