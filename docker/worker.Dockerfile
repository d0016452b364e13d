# syntax=docker/dockerfile:1
# The worker image: one image for every role (orchestrator, GPU worker), chosen by SUBLIMINAL_ROLE.
#   stage 1 (build):   Maven builds workers/target/subliminal-workers.jar and collects the DJL jars.
#   stage 2 (runtime): CUDA 12.8 runtime + Java 17 JRE; libtorch 2.7.1 cu128 is fetched into the DJL cache at build
#                      time (the only step that needs the network), and DJL runs offline at run time.
# Build from the repository root:  docker build -f docker/worker.Dockerfile -t subliminal-worker .
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-runtime-ubuntu24.04
ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-17

FROM ${MAVEN_IMAGE} AS build
WORKDIR /src
COPY pom.xml ./
COPY workflows/pom.xml workflows/
COPY activities/pom.xml activities/
COPY workers/pom.xml workers/
COPY workflows/src workflows/src
COPY activities/src activities/src
COPY workers/src workers/src
# the worker jar, and (same reactor) DJL with its dependencies for the native warm-up below
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -q -pl workers -am -DskipTests package dependency:copy-dependencies -DincludeScope=runtime \
        -DincludeGroupIds=ai.djl,ai.djl.pytorch,com.google.code.gson,net.java.dev.jna,org.apache.commons,org.slf4j \
        -DexcludeArtifactIds=pytorch-native-cpu,slf4j-simple \
 && mkdir -p /build && cp -r workers/target/dependency /build/djl-lib
COPY docker/NativeWarmup.java docker/
RUN mkdir -p /build/warmup && javac -cp "/build/djl-lib/*" -d /build/warmup docker/NativeWarmup.java

FROM ${CUDA_IMAGE} AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        openjdk-17-jre-headless ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
ENV DJL_CACHE_DIR=/opt/djl \
    ENGINE_CACHE_DIR=/opt/djl \
    PYTORCH_VERSION=2.7.1 \
    PYTORCH_FLAVOR=cu128 \
    OPT_OUT_TRACKING=true
# Bake libtorch 2.7.1 cu128 into the image. This layer depends only on the DJL jars, so code changes reuse it.
COPY --from=build /build/djl-lib /opt/warmup/lib
COPY --from=build /build/warmup /opt/warmup/classes
RUN java -cp "/opt/warmup/classes:/opt/warmup/lib/*" NativeWarmup
# From here on DJL never downloads: the workers start without network access to the model or native hubs.
ENV DJL_OFFLINE=true
# float32 matmuls (LoRA training) on TF32 tensor cores: 3.4x faster LoRA steps on an H100 (README, CUDA section);
# the original trains in bf16, which rounds further. Set to 0 for strict float32.
ENV TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1
COPY --from=build /src/workers/target/subliminal-workers.jar /app/subliminal-workers.jar
# the model registry the stages resolve model names with (the figure recipes are the submitter's, not the worker's)
COPY cfgs/models.yaml /app/cfgs/models.yaml
# the HTTP judges (Fig 34), read beside the registry; their API keys come from the environment only
COPY cfgs/judges.yaml /app/cfgs/judges.yaml
ENV SUBLIMINAL_REGISTRY_FILE=/app/cfgs/models.yaml
ARG GIT_COMMIT=dev
ENV SUBLIMINAL_CODE_VERSION=${GIT_COMMIT}
WORKDIR /work
ENTRYPOINT ["/usr/bin/tini", "--", "java", "-XX:MaxRAMPercentage=75", "-Dai.djl.offline=true", \
            "-jar", "/app/subliminal-workers.jar"]
