package io.subliminal.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.paginators.ListObjectsV2Iterable;

/**
 * The real client of an S3 test server, recording the requests a model download makes (ListObjectsV2, GetObject by
 * key) and failing the GetObjects a test picks as a network error would, before the request is sent.
 */
public final class CountingS3Client implements S3Client {

    private final S3Client real;
    /** "LIST prefix" and "GET key", in order. */
    public final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile Predicate<String> failGet = key -> false;
    public final AtomicInteger failedGets = new AtomicInteger();

    public CountingS3Client(S3Client real) {
        this.real = real;
    }

    /** From now on, GetObject of a key {@code fail} accepts throws an {@link SdkClientException}. */
    public void failGets(Predicate<String> fail) {
        this.failGet = fail;
    }

    /** Requests whose line starts with {@code kind} ("LIST", "GET"). */
    public long count(String kind) {
        return requests.stream().filter(r -> r.startsWith(kind + " ")).count();
    }

    @Override
    public ListObjectsV2Response listObjectsV2(ListObjectsV2Request request) {
        requests.add("LIST " + request.prefix());
        return real.listObjectsV2(request);
    }

    @Override
    public ListObjectsV2Iterable listObjectsV2Paginator(ListObjectsV2Request request) {
        return new ListObjectsV2Iterable(this, request);
    }

    @Override
    public <T> T getObject(GetObjectRequest request, ResponseTransformer<GetObjectResponse, T> transformer) {
        requests.add("GET " + request.key());
        if (failGet.test(request.key())) {
            failedGets.incrementAndGet();
            throw SdkClientException.create("injected network failure reading " + request.key());
        }
        return real.getObject(request, transformer);
    }

    @Override
    public String serviceName() {
        return real.serviceName();
    }

    @Override
    public void close() {
        real.close();
    }
}
