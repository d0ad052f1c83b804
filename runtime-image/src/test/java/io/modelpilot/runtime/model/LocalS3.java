package io.modelpilot.runtime.model;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/** A real S3 API on loopback: S3Proxy over jclouds' in-memory blob store, with AWS signature checks. */
public final class LocalS3 implements AutoCloseable {

  public static final String ACCESS_KEY_ID = "modelpilot-test";
  public static final String SECRET_ACCESS_KEY = "modelpilot-test-secret";

  private final BlobStoreContext context;
  private final S3Proxy proxy;

  public LocalS3() throws Exception {
    context = ContextBuilder.newBuilder("transient").credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY)
        .build(BlobStoreContext.class);
    proxy = S3Proxy.builder().blobStore(context.getBlobStore())
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY_ID, SECRET_ACCESS_KEY)
        .endpoint(URI.create("http://127.0.0.1:0")).build();
    proxy.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> "STARTED".equals(proxy.getState()));
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /** Creates the bucket when it is missing and puts the object, as a user's upload would. */
  public void put(String bucket, String key, byte[] content) {
    try (S3Client s3 = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder())
        .endpointOverride(endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
        // S3Proxy does not read the SDK's default aws-chunked uploads with trailing checksums
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY)))
        .build()) {
      if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(bucket))) {
        s3.createBucket(b -> b.bucket(bucket));
      }
      s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(content));
    }
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }
}
