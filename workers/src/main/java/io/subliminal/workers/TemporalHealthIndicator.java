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

/**
 * {@code /health}: UP when the Temporal frontend answers, this process's worker is polling and not draining, and a
 * GPU worker has stage activities to run. The details name the role, device, Temporal address and artifact store.
 */
@Singleton
public class TemporalHealthIndicator implements HealthIndicator {
    private final WorkflowServiceStubs stubs;
    private final WorkerRole role;
    private final WorkerSettings settings;
    private final WorkerSettings.Temporal temporal;

    public TemporalHealthIndicator(WorkflowServiceStubs stubs, WorkerRole role, WorkerSettings settings, WorkerSettings.Temporal temporal) {
        this.stubs = stubs;
        this.role = role;
        this.settings = settings;
        this.temporal = temporal;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("role", settings.getRole());
        details.put("device", settings.getDevice());
        details.put("temporal", temporal.getAddress());
        details.put("store", settings.getStore());
        details.put("activities", role.registeredActivities());
        details.put("draining", role.draining());
        HealthStatus status;
        try {
            stubs.healthCheck();
            boolean hasWork = settings.getRole().equals("orchestrator") || !role.registeredActivities().isEmpty();
            if (!hasWork) {
                details.put("reason", "no stage activity implementations registered (StageActivityProvider)");
            }
            status = role.started() && !role.draining() && hasWork ? HealthStatus.UP : HealthStatus.DOWN;
        } catch (RuntimeException e) {
            details.put("error", e.getMessage());
            status = HealthStatus.DOWN;
        }
        return Publishers.just(HealthResult.builder("temporal", status).details(details).build());
    }
}
