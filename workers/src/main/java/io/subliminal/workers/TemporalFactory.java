package io.subliminal.workers;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.serviceclient.SimpleSslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import jakarta.inject.Singleton;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Temporal connection beans; SDK metrics go to the same Prometheus registry as ours. */
@Factory
public class TemporalFactory {

    @Singleton
    @Bean(preDestroy = "shutdown")
    WorkflowServiceStubs serviceStubs(WorkerSettings.Temporal temporal, MeterRegistry registry) throws IOException {
        Scope scope = new RootScopeBuilder().reporter(new MicrometerClientStatsReporter(registry))
                .reportEvery(com.uber.m3.util.Duration.ofSeconds(10));
        WorkflowServiceStubsOptions.Builder options = WorkflowServiceStubsOptions.newBuilder()
                .setTarget(temporal.getAddress())
                .setMetricsScope(scope);
        if (temporal.isTls()) {
            if (temporal.getTlsCert() == null || temporal.getTlsKey() == null) {
                throw new IllegalArgumentException("subliminal.temporal.tls needs tls-cert and tls-key (SUBLIMINAL_TEMPORAL_TLS_CERT/KEY)");
            }
            try (InputStream cert = new FileInputStream(temporal.getTlsCert()); InputStream key = new FileInputStream(temporal.getTlsKey())) {
                SimpleSslContextBuilder ssl = SimpleSslContextBuilder.forPKCS8(cert, key);
                if (temporal.getTlsCa() != null) {
                    ssl.setTrustManager(trustManager(temporal.getTlsCa()));
                }
                options.setSslContext(ssl.build());
            }
        }
        return WorkflowServiceStubs.newServiceStubs(options.build());
    }

    private static javax.net.ssl.TrustManager trustManager(String caFile) throws IOException {
        try (InputStream ca = new FileInputStream(caFile)) {
            java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (java.security.cert.Certificate certificate
                    : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(ca)) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers()[0];
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot read CA certificates from " + caFile, e);
        }
    }

    @Singleton
    WorkflowClient workflowClient(WorkflowServiceStubs stubs, WorkerSettings.Temporal temporal) {
        return WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder()
                .setNamespace(temporal.getNamespace()).build());
    }

    @Singleton
    WorkerFactory workerFactory(WorkflowClient client, StageMetricsInterceptor metrics) {
        return WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder()
                .setWorkerInterceptors(metrics).build());
    }
}
