package io.modelpilot.runtime.model;

import com.sun.net.httpserver.HttpServer;
import io.modelpilot.contract.RuntimeContract.ModelLoad;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class ModelFetcherTest {

  static final byte[] MODEL = "not really onnx, but bytes to move".getBytes();
  static final String MODEL_SHA = ModelFetcher.sha256(new String(MODEL));

  @TempDir
  Path tmp;

  HttpServer server;
  final AtomicInteger downloads = new AtomicInteger();

  @BeforeEach
  void serveTheModel() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/models/m.onnx", exchange -> {
      downloads.incrementAndGet();
      exchange.sendResponseHeaders(200, MODEL.length);
      exchange.getResponseBody().write(MODEL);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  ModelFetcher fetcher(Duration readTimeout) {
    return new ModelFetcher(new ModelFetcher.Options(1 << 20, Optional.empty(), Optional.of(tmp.resolve("cache")),
        readTimeout, Duration.ofMinutes(1), false, Optional.empty(), "us-east-1", false));
  }

  @Test
  void aRestartedContainerReusesTheVerifiedDownloadInsteadOfFetchingItAgain() throws IOException {
    Path first = fetcher(Duration.ofSeconds(10)).fetch(url("/models/m.onnx"), Optional.of(MODEL_SHA));
    Path again = fetcher(Duration.ofSeconds(10)).fetch(url("/models/m.onnx"), Optional.of(MODEL_SHA.toUpperCase()));

    assertThat(again).isEqualTo(first).hasBinaryContent(MODEL);
    assertThat(downloads).hasValue(1);
    assertThat(first.getFileName().toString()).isEqualTo("sha256-" + MODEL_SHA + ".onnx");
  }

  @Test
  void withoutADigestTheCacheIsKeyedByUri() throws IOException {
    Path first = fetcher(Duration.ofSeconds(10)).fetch(url("/models/m.onnx"), Optional.empty());
    Path again = fetcher(Duration.ofSeconds(10)).fetch(url("/models/m.onnx"), Optional.empty());

    assertThat(again).isEqualTo(first).hasBinaryContent(MODEL);
    assertThat(downloads).hasValue(1);
  }

  @Test
  void aCachedFileThatNoLongerMatchesTheDigestIsDownloadedAgain() throws IOException {
    Path first = fetcher(Duration.ofSeconds(10)).fetch(url("/models/m.onnx"), Optional.of(MODEL_SHA));
    Files.writeString(first, "corrupted");

    Path again = fetcher(Duration.ofSeconds(10)).fetch(url("/models/m.onnx"), Optional.of(MODEL_SHA));

    assertThat(again).hasBinaryContent(MODEL);
    assertThat(downloads).hasValue(2);
  }

  @Test
  void aWrongDigestFailsWithItsReasonAndLeavesNothingInTheCache() throws IOException {
    String wrong = "0".repeat(64);

    assertThatThrownBy(() -> fetcher(Duration.ofSeconds(10)).fetch(url("/models/m.onnx"), Optional.of(wrong)))
        .isInstanceOfSatisfying(ModelFetchException.class,
            e -> assertThat(e.reason()).isEqualTo(ModelLoad.DIGEST_MISMATCH))
        .hasMessageContaining("has SHA-256 " + MODEL_SHA).hasMessageContaining("expects " + wrong);
    try (var files = Files.list(tmp.resolve("cache"))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void aStalledServerFailsTheDownloadAtTheReadDeadline() throws IOException {
    try (StallingServer stalled = new StallingServer(1 << 16)) {
      ModelFetcher fetcher = fetcher(Duration.ofMillis(500));
      String uri = stalled.base() + "/m.onnx";

      assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(
          () -> fetcher.fetch(uri, Optional.empty()))
          .isInstanceOfSatisfying(ModelFetchException.class,
              e -> assertThat(e.reason()).isEqualTo(ModelLoad.DOWNLOAD_TIMEOUT))
          .hasMessageContaining("stalled").hasMessageContaining("MODELPILOT_MODEL_READ_TIMEOUT"));
    }
  }

  @Test
  void aModelOverTheCapIsRefusedByItsDeclaredSize() {
    ModelFetcher small = new ModelFetcher(new ModelFetcher.Options(8, Optional.empty(), Optional.of(tmp),
        Duration.ofSeconds(10), Duration.ofMinutes(1), false, Optional.empty(), "us-east-1", false));

    assertThatThrownBy(() -> small.fetch(url("/models/m.onnx"), Optional.empty()))
        .isInstanceOfSatisfying(ModelFetchException.class, e -> assertThat(e.reason()).isEqualTo(ModelLoad.TOO_LARGE))
        .hasMessageContaining("spec.model.maxSize");
  }

  @Test
  void credentialsAreNotSentOverPlainHttpWithoutTheExplicitFlag() throws IOException {
    Path credentials = Files.createDirectories(tmp.resolve("credentials"));
    Files.writeString(credentials.resolve("token"), "s3cret");
    ModelFetcher fetcher = new ModelFetcher(new ModelFetcher.Options(1 << 20, Optional.of(credentials),
        Optional.of(tmp), Duration.ofSeconds(10), Duration.ofMinutes(1), false, Optional.empty(), "us-east-1", false));

    assertThatThrownBy(() -> fetcher.fetch(url("/models/m.onnx"), Optional.empty()))
        .isInstanceOfSatisfying(ModelFetchException.class,
            e -> assertThat(e.reason()).isEqualTo(ModelLoad.INVALID_SOURCE))
        .hasMessageContaining("only sent over TLS");
    assertThat(downloads).hasValue(0);
  }

  @Test
  void aMissingCredentialsSecretIsReportedAsSuchBeforeAnyDownload() throws IOException {
    Path credentials = Files.createDirectories(tmp.resolve("no-secret"));
    ModelFetcher fetcher = new ModelFetcher(new ModelFetcher.Options(1 << 20, Optional.of(credentials),
        Optional.of(tmp), Duration.ofSeconds(10), Duration.ofMinutes(1), true, Optional.empty(), "us-east-1", false));

    assertThatThrownBy(() -> fetcher.fetch(url("/models/m.onnx"), Optional.empty()))
        .isInstanceOfSatisfying(ModelFetchException.class,
            e -> assertThat(e.reason()).isEqualTo(ModelLoad.CREDENTIALS_NOT_FOUND))
        .hasMessageContaining("spec.model.credentialsSecretRef.name");
    assertThat(downloads).hasValue(0);
  }

  @Test
  void fileUrisWithDotDotSegmentsAreRefusedAlsoWhenPercentEncoded() throws IOException {
    Path model = Files.write(Files.createDirectories(tmp.resolve("models")).resolve("m.onnx"), MODEL);
    ModelFetcher fetcher = fetcher(Duration.ofSeconds(10));

    assertThat(fetcher.fetch(model.toUri().toString(), Optional.of(MODEL_SHA))).isEqualTo(model);
    for (String uri : new String[] {"file://" + tmp + "/models/../models/m.onnx",
        "file://" + tmp + "/models/%2e%2e/models/m.onnx", "file://" + tmp + "/models/%2E%2E/models/m.onnx"}) {
      assertThatThrownBy(() -> fetcher.fetch(uri, Optional.empty())).as(uri)
          .isInstanceOfSatisfying(ModelFetchException.class,
              e -> assertThat(e.reason()).isEqualTo(ModelLoad.INVALID_SOURCE))
          .hasMessageContaining("'..'");
    }
  }

  @Test
  void aDigestMismatchOfALocalFileNamesTheSetting() throws IOException {
    Path model = Files.write(tmp.resolve("m.onnx"), MODEL);

    assertThatThrownBy(() -> fetcher(Duration.ofSeconds(10)).fetch(model.toUri().toString(),
        Optional.of("1".repeat(64))))
        .isInstanceOfSatisfying(ModelFetchException.class,
            e -> assertThat(e.reason()).isEqualTo(ModelLoad.DIGEST_MISMATCH))
        .hasMessageContaining("MODELPILOT_MODEL_SHA256");
  }
}
