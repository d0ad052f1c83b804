package io.modelpilot.runtime.model;

import io.modelpilot.contract.RuntimeContract.ModelLoad;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * GET of s3://bucket/key with the AWS SDK's S3 client over its URLConnection HTTP client (whose socket timeout is
 * the read deadline): AWS S3, or any S3 API at {@code endpoint} (MinIO, Ceph RGW, GCS interoperability).
 * Credentials are read from files ({@code accessKeyId}, {@code secretAccessKey}, optional {@code sessionToken});
 * without a credentials directory the SDK's default chain (pod or node identity) applies.
 */
final class S3Download {

  static final String ACCESS_KEY_ID = "accessKeyId";
  static final String SECRET_ACCESS_KEY = "secretAccessKey";
  static final String SESSION_TOKEN = "sessionToken";

  private final ModelFetcher fetcher;
  private final ModelFetcher.Options options;

  S3Download(ModelFetcher fetcher) {
    this.fetcher = fetcher;
    this.options = fetcher.options();
  }

  String download(URI uri, Path target) throws IOException {
    String bucket = uri.getAuthority();
    String key = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
    if (bucket == null || bucket.isEmpty() || key.isEmpty()) {
      throw new ModelFetchException(ModelLoad.INVALID_SOURCE, "MODELPILOT_MODEL_URI must be s3://<bucket>/<key>, got: "
          + uri);
    }
    if (options.s3Endpoint().isPresent() && !"https".equalsIgnoreCase(options.s3Endpoint().get().getScheme())
        && !options.allowPlainHttp()) {
      throw new ModelFetchException(ModelLoad.INVALID_SOURCE, "MODELPILOT_MODEL_S3_ENDPOINT "
          + options.s3Endpoint().get() + " is not https: S3 requests go only over TLS unless "
          + "MODELPILOT_MODEL_ALLOW_PLAIN_HTTP=true (spec.model.allowPlainHttp)");
    }
    long deadline = System.nanoTime() + options.downloadTimeout().toNanos();
    try (S3Client s3 = client()) {
      ResponseInputStream<GetObjectResponse> in;
      try {
        in = s3.getObject(GetObjectRequest.builder().bucket(bucket).key(key).build());
      } catch (S3Exception e) {
        throw refused(uri, e);
      } catch (SdkException e) {
        throw failed(uri, e);
      }
      try {
        Long length = in.response().contentLength();
        if (length != null) {
          fetcher.checkDeclaredSize(uri, length);
        }
        String digest = fetcher.copy(uri, new TimeoutMapping(in), target, deadline);
        in.close();
        return digest;
      } catch (SdkException e) {
        in.abort(); // drop the connection rather than drain the rest of a large object
        throw failed(uri, e);
      } catch (IOException | RuntimeException e) {
        in.abort();
        throw e;
      }
    }
  }

  private ModelFetchException refused(URI uri, S3Exception e) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    String what = "S3 GetObject " + uri + " answered HTTP " + e.statusCode() + (code == null ? "" : " " + code);
    return switch (e.statusCode()) {
      case 401, 403 -> new ModelFetchException(ModelLoad.ACCESS_DENIED, what + ": the credentials "
          + (options.credentialsDir().isPresent() ? "in credentialsSecretRef" : "of the default chain")
          + " were refused", e);
      case 404 -> new ModelFetchException(ModelLoad.NOT_FOUND, what + ": no such bucket or key", e);
      default -> new ModelFetchException(ModelLoad.DOWNLOAD_FAILED, what, e);
    };
  }

  private ModelFetchException failed(URI uri, SdkException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException || t instanceof ApiCallTimeoutException) {
        return fetcher.timeout(uri, e);
      }
    }
    return new ModelFetchException(ModelLoad.DOWNLOAD_FAILED, "S3 GetObject " + uri + " failed: " + e.getMessage(), e);
  }

  private S3Client client() throws IOException {
    S3ClientBuilder builder = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(options.readTimeout()).socketTimeout(options.readTimeout()))
        .region(Region.of(options.s3Region()))
        .credentialsProvider(credentials())
        .forcePathStyle(options.s3PathStyle())
        // the SDK's flexible checksums (x-amz-checksum-mode on GET) are refused by some S3-compatible servers
        // (S3Proxy answers 501); spec.model.sha256 is the digest that matters, and TLS guards the transfer
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED);
    options.s3Endpoint().ifPresent(builder::endpointOverride);
    return builder.build();
  }

  private AwsCredentialsProvider credentials() throws IOException {
    if (options.credentialsDir().isEmpty()) {
      return DefaultCredentialsProvider.builder().build();
    }
    Path dir = ModelFetcher.requireKeys(options.credentialsDir().get());
    Optional<String> id = read(dir.resolve(ACCESS_KEY_ID));
    Optional<String> secret = read(dir.resolve(SECRET_ACCESS_KEY));
    if (id.isEmpty() || secret.isEmpty()) {
      throw new ModelFetchException(ModelLoad.INVALID_SOURCE, "MODELPILOT_MODEL_CREDENTIALS_DIR (" + dir
          + ") must hold '" + ACCESS_KEY_ID + "' and '" + SECRET_ACCESS_KEY + "' (and optionally '" + SESSION_TOKEN
          + "') for an s3:// model");
    }
    Optional<String> token = read(dir.resolve(SESSION_TOKEN));
    AwsCredentials credentials = token.isPresent()
        ? AwsSessionCredentials.create(id.get(), secret.get(), token.get())
        : AwsBasicCredentials.create(id.get(), secret.get());
    return StaticCredentialsProvider.create(credentials);
  }

  private static Optional<String> read(Path file) throws IOException {
    return Files.isRegularFile(file) ? Optional.of(Files.readString(file).trim()).filter(s -> !s.isEmpty())
        : Optional.empty();
  }

  /** The SDK's stream may wrap a socket timeout; the copy loop knows timeouts by their type. */
  private static final class TimeoutMapping extends java.io.FilterInputStream {

    TimeoutMapping(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (IOException | SdkException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
          if (t instanceof SocketTimeoutException timeout) {
            throw timeout;
          }
        }
        throw e;
      }
    }
  }
}
