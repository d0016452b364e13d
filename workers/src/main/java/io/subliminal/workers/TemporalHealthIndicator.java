package io.subliminal.workers;

import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.temporal.serviceclient.WorkflowServiceStubs;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import org.reactivestreams.Publisher;
import io.micronaut.core.async.publisher.Publishers;

/** {@code /health}: UP when the Temporal frontend answers and this process's worker is polling. */
@Singleton
public class TemporalHealthIndicator implements HealthIndicator {
    private final WorkflowServiceStubs stubs;
    private final WorkerRole role;
    private final WorkerSettings settings;

    public TemporalHealthIndicator(WorkflowServiceStubs stubs, WorkerRole role, WorkerSettings settings) {
        this.stubs = stubs;
        this.role = role;
        this.settings = settings;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("role", settings.getRole());
        details.put("device", settings.getDevice());
        details.put("temporal", settings.getTemporal().getAddress());
        details.put("activities", role.registeredActivities());
        details.put("draining", role.draining());
        HealthStatus status;
        try {
            stubs.healthCheck();
            status = role.started() && !role.draining() ? HealthStatus.UP : HealthStatus.DOWN;
        } catch (RuntimeException e) {
            details.put("error", e.getMessage());
            status = HealthStatus.DOWN;
        }
        return Publishers.just(HealthResult.builder("temporal", status).details(details).build());
    }
}
