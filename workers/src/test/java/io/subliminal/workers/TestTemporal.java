package io.subliminal.workers;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.subliminal.workflows.sweep.SearchKeys;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.testing.TestWorkflowEnvironment;
import jakarta.inject.Singleton;

/** Points the application at an in-process Temporal test service instead of a server address. */
@Factory
@Requires(property = "test.temporal", value = "true")
public class TestTemporal {
    static final TestWorkflowEnvironment ENV = environment();

    private static TestWorkflowEnvironment environment() {
        TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
        SearchKeys.TYPES.forEach((name, type) -> env.registerSearchAttribute(name,
                type.equals("Int") ? IndexedValueType.INDEXED_VALUE_TYPE_INT : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
        env.start();
        return env;
    }

    @Singleton
    @Replaces(value = WorkflowServiceStubs.class, factory = TemporalFactory.class)
    WorkflowServiceStubs testStubs() {
        return ENV.getWorkflowServiceStubs();
    }
}
