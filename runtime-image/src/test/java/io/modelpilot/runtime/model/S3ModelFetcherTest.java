package io.modelpilot.runtime.model;

import io.modelpilot.contract.RuntimeContract.ModelLoad;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** s3:// sources against a real S3 API server (S3Proxy) on loopback. */
class S3ModelFetcherTest {

  static final byte[] MODEL = "an ONNX model in a bucket".getBytes();
  static final String MODEL_SHA = ModelFetcher.sha256(new String(MODEL));

  static LocalS3 s3;

  @TempDir
  Path tmp;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = new LocalS3();
    s3.put("models", "fraud/v7/model.onnx", MODEL);
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  Path credentials(String id, String secret) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("credentials-" + id));
    Files.writeString(dir.resolve("accessKeyId"), id + "\n");
    Files.writeString(dir.resolve("secretAccessKey"), secret + "\n");
    return dir;
  }

  ModelFetcher fetcher(Optional<Path> credentials, URI endpoint, boolean allowPlainHttp, Duration readTimeout) {
    return new ModelFetcher(new ModelFetcher.Options(1 << 20, credentials, Optional.of(tmp.resolve("cache")),
        readTimeout, Duration.ofMinutes(1), allowPlainHttp, Optional.of(endpoint), "us-east-1", true));
  }

  ModelFetcher fetcher(Path credentials) {
    return fetcher(Optional.of(credentials), s3.endpoint(), true, Duration.ofSeconds(20));
  }

  @Test
  void downloadsTheObjectWithTheSecretsKeysAndChecksItsDigest() throws IOException {
    Path file = fetcher(credentials(LocalS3.ACCESS_KEY_ID, LocalS3.SECRET_ACCESS_KEY))
        .fetch("s3://models/fraud/v7/model.onnx", Optional.of(MODEL_SHA));

    assertThat(file).hasBinaryContent(MODEL);
    assertThat(file.getParent()).isEqualTo(tmp.resolve("cache"));
  }

  @Test
  void aWrongSecretKeyIsRefusedAsAccessDenied() {
    assertThatThrownBy(() -> fetcher(credentials(LocalS3.ACCESS_KEY_ID, "not-the-secret"))
        .fetch("s3://models/fraud/v7/model.onnx", Optional.empty()))
        .isInstanceOfSatisfying(ModelFetchException.class,
            e -> assertThat(e.reason()).isEqualTo(ModelLoad.ACCESS_DENIED))
        .hasMessageContaining("HTTP 403").hasMessageContaining("credentialsSecretRef")
        .hasMessageNotContaining("not-the-secret");
  }

  @Test
  void aWrongDigestIsRefusedAndNothingIsCached() throws IOException {
    String wrong = "f".repeat(64);

    assertThatThrownBy(() -> fetcher(credentials(LocalS3.ACCESS_KEY_ID, LocalS3.SECRET_ACCESS_KEY))
        .fetch("s3://models/fraud/v7/model.onnx", Optional.of(wrong)))
        .isInstanceOfSatisfying(ModelFetchException.class,
            e -> assertThat(e.reason()).isEqualTo(ModelLoad.DIGEST_MISMATCH))
        .hasMessageContaining("s3://models/fraud/v7/model.onnx has SHA-256 " + MODEL_SHA);
    try (var files = Files.list(tmp.resolve("cache"))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void aMissingKeyIsReportedAsNotFound() {
    assertThatThrownBy(() -> fetcher(credentials(LocalS3.ACCESS_KEY_ID, LocalS3.SECRET_ACCESS_KEY))
        .fetch("s3://models/fraud/v8/model.onnx", Optional.empty()))
        .isInstanceOfSatisfying(ModelFetchException.class, e -> assertThat(e.reason()).isEqualTo(ModelLoad.NOT_FOUND))
        .hasMessageContaining("HTTP 404");
  }

  @Test
  void aPlainHttpEndpointNeedsTheExplicitFlag() throws IOException {
    ModelFetcher fetcher = fetcher(Optional.of(credentials(LocalS3.ACCESS_KEY_ID, LocalS3.SECRET_ACCESS_KEY)),
        s3.endpoint(), false, Duration.ofSeconds(20));

    assertThatThrownBy(() -> fetcher.fetch("s3://models/fraud/v7/model.onnx", Optional.empty()))
        .isInstanceOfSatisfying(ModelFetchException.class,
            e -> assertThat(e.reason()).isEqualTo(ModelLoad.INVALID_SOURCE))
        .hasMessageContaining("MODELPILOT_MODEL_ALLOW_PLAIN_HTTP");
  }

  @Test
  void anEmptyCredentialsVolumeIsReportedAsTheSecretMissing() throws IOException {
    // what kubelet mounts for an optional Secret volume whose Secret does not exist: a directory without keys
    Path dir = Files.createDirectories(tmp.resolve("absent"));
    Files.createDirectories(dir.resolve("..2026_12_01_09_00_00.000000001"));

    assertThatThrownBy(() -> fetcher(dir).fetch("s3://models/fraud/v7/model.onnx", Optional.empty()))
        .isInstanceOfSatisfying(ModelFetchException.class,
            e -> assertThat(e.reason()).isEqualTo(ModelLoad.CREDENTIALS_NOT_FOUND))
        .hasMessageContaining("spec.model.credentialsSecretRef.name").hasMessageContaining("missing or empty");
  }

  @Test
  void secretsWithoutBothKeysAreRefusedNamingTheKeys() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("half"));
    Files.writeString(dir.resolve("accessKeyId"), LocalS3.ACCESS_KEY_ID);

    assertThatThrownBy(() -> fetcher(dir).fetch("s3://models/fraud/v7/model.onnx", Optional.empty()))
        .isInstanceOfSatisfying(ModelFetchException.class,
            e -> assertThat(e.reason()).isEqualTo(ModelLoad.INVALID_SOURCE))
        .hasMessageContaining("'secretAccessKey'");
  }

  @Test
  void aStalledS3ServerFailsAtTheReadDeadline() throws IOException {
    Path keys = credentials(LocalS3.ACCESS_KEY_ID, LocalS3.SECRET_ACCESS_KEY);
    try (StallingServer stalled = new StallingServer(1 << 16)) {
      ModelFetcher fetcher = fetcher(Optional.of(keys), stalled.base(), true, Duration.ofMillis(500));

      assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThatThrownBy(
          () -> fetcher.fetch("s3://models/fraud/v7/model.onnx", Optional.empty()))
          .isInstanceOfSatisfying(ModelFetchException.class,
              e -> assertThat(e.reason()).isEqualTo(ModelLoad.DOWNLOAD_TIMEOUT))
          .hasMessageContaining("MODELPILOT_MODEL_READ_TIMEOUT"));
    }
  }
}
