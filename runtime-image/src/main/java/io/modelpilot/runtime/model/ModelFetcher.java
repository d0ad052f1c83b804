package io.modelpilot.runtime.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/** Makes the model a local file: file:// as is, http(s):// downloaded once with a size cap. */
public final class ModelFetcher {

  private final long maxBytes;
  private final Optional<Path> credentialsDir;

  public ModelFetcher(long maxBytes, Optional<Path> credentialsDir) {
    this.maxBytes = maxBytes;
    this.credentialsDir = credentialsDir;
  }

  public Path fetch(String uri, Optional<String> sha256) throws IOException {
    URI parsed;
    try {
      parsed = URI.create(uri);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("MODELPILOT_MODEL_URI is not a valid URI: " + uri);
    }
    String scheme = parsed.getScheme() == null ? "" : parsed.getScheme();
    Path file = switch (scheme) {
      case "file" -> {
        Path p = Path.of(parsed);
        if (!Files.isRegularFile(p)) {
          throw new IOException("MODELPILOT_MODEL_URI: no model file at " + p);
        }
        yield p;
      }
      case "http", "https" -> download(parsed);
      default -> throw new IllegalArgumentException(
          "MODELPILOT_MODEL_URI must be file://, http:// or https://, got: " + uri);
    };
    if (sha256.isPresent()) {
      String actual = sha256(file);
      if (!actual.equalsIgnoreCase(sha256.get().trim())) {
        throw new IOException("MODELPILOT_MODEL_SHA256: the model's SHA-256 is " + actual + ", expected "
            + sha256.get());
      }
    }
    return file;
  }

  private Path download(URI uri) throws IOException {
    HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(30)).build();
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(30)).GET();
    authorization().ifPresent(value -> request.header("Authorization", value));
    HttpResponse<InputStream> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("model download interrupted", e);
    } catch (IOException e) {
      throw new IOException("MODELPILOT_MODEL_URI: cannot download " + uri + ": " + e, e);
    }
    try (InputStream in = response.body()) {
      if (response.statusCode() != 200) {
        throw new IOException("MODELPILOT_MODEL_URI: GET " + uri + " answered HTTP " + response.statusCode());
      }
      long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
      if (declared > maxBytes) {
        throw new IOException("MODELPILOT_MODEL_URI: the model is " + declared
            + " bytes, more than MODELPILOT_MODEL_MAX_BYTES=" + maxBytes);
      }
      Path target = Files.createTempFile("model-", ".onnx");
      long copied = 0;
      byte[] buffer = new byte[1 << 16];
      try (OutputStream out = Files.newOutputStream(target)) {
        for (int n; (n = in.read(buffer)) > 0; ) {
          copied += n;
          if (copied > maxBytes) {
            throw new IOException("MODELPILOT_MODEL_URI: the model is more than MODELPILOT_MODEL_MAX_BYTES="
                + maxBytes + " bytes");
          }
          out.write(buffer, 0, n);
        }
      } catch (IOException e) {
        Files.deleteIfExists(target);
        throw e;
      }
      return target;
    }
  }

  private Optional<String> authorization() throws IOException {
    if (credentialsDir.isEmpty()) {
      return Optional.empty();
    }
    Path dir = credentialsDir.get();
    Path token = dir.resolve("token");
    if (Files.isRegularFile(token)) {
      return Optional.of("Bearer " + Files.readString(token).trim());
    }
    Path user = dir.resolve("username");
    Path password = dir.resolve("password");
    if (Files.isRegularFile(user) && Files.isRegularFile(password)) {
      String pair = Files.readString(user).trim() + ":" + Files.readString(password).trim();
      return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
    throw new IOException("MODELPILOT_MODEL_CREDENTIALS_DIR (" + dir
        + ") holds neither 'token' nor 'username' and 'password'");
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
