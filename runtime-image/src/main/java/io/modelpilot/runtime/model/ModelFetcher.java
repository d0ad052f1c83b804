package io.modelpilot.runtime.model;

import io.modelpilot.contract.Durations;
import io.modelpilot.contract.RuntimeContract.ModelLoad;
import io.modelpilot.runtime.config.RuntimeSettings;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Makes the model a local file: file:// as is, http(s):// and s3:// downloaded into a cache directory under the
 * model's digest (or its URI), so a restarted container reuses the file instead of downloading it again.
 * Downloads have a size cap, a read deadline (no bytes for {@code readTimeout} fails them) and an overall one;
 * credentials come from files (a mounted Secret) and go only over TLS unless plain http is allowed explicitly.
 */
public final class ModelFetcher {

  private static final Logger LOG = Logger.getLogger(ModelFetcher.class);
  private static final int MAX_REDIRECTS = 5;

  public record Options(long maxBytes, Optional<Path> credentialsDir, Optional<Path> cacheDir, Duration readTimeout,
      Duration downloadTimeout, boolean allowPlainHttp, Optional<URI> s3Endpoint, String s3Region,
      boolean s3PathStyle) {

    public Options {
      Objects.requireNonNull(readTimeout);
      Objects.requireNonNull(downloadTimeout);
    }

    public static Options from(RuntimeSettings s) {
      return new Options(s.modelMaxBytes(), s.modelCredentialsDir().map(Path::of), s.modelCacheDir().map(Path::of),
          Durations.parse("MODELPILOT_MODEL_READ_TIMEOUT", s.modelReadTimeout()),
          Durations.parse("MODELPILOT_MODEL_DOWNLOAD_TIMEOUT", s.modelDownloadTimeout()), s.modelAllowPlainHttp(),
          s.modelS3Endpoint().filter(e -> !e.isBlank()).map(Options::endpoint), s.modelS3Region(),
          s.modelS3PathStyle());
    }

    private static URI endpoint(String text) {
      try {
        URI uri = URI.create(text);
        if (uri.getScheme() != null && uri.getHost() != null
            && (uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
          return uri;
        }
      } catch (IllegalArgumentException e) {
        // reported below
      }
      throw new IllegalArgumentException("MODELPILOT_MODEL_S3_ENDPOINT must be an http:// or https:// URL, got: "
          + text);
    }

    /** No credentials, no cache directory (a fresh temporary one), no S3 endpoint. */
    public static Options defaults(long maxBytes) {
      return new Options(maxBytes, Optional.empty(), Optional.empty(), Duration.ofSeconds(60), Duration.ofMinutes(30),
          false, Optional.empty(), "us-east-1", false);
    }
  }

  private final Options options;

  public ModelFetcher(Options options) {
    this.options = options;
  }

  public Options options() {
    return options;
  }

  public Path fetch(String uri, Optional<String> sha256) throws ModelFetchException {
    URI parsed;
    try {
      parsed = URI.create(uri);
    } catch (IllegalArgumentException e) {
      throw new ModelFetchException(ModelLoad.INVALID_SOURCE, "MODELPILOT_MODEL_URI is not a valid URI: " + uri);
    }
    String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
    Optional<String> expected = sha256.map(s -> s.trim().toLowerCase(Locale.ROOT));
    try {
      if (scheme.equals("file")) {
        Path file = localFile(parsed);
        if (expected.isPresent()) {
          verify(uri, sha256(file), expected.get());
        }
        return file;
      }
      Remote remote = switch (scheme) {
        case "http", "https" -> new Remote(parsed, this::httpDownload);
        case "s3" -> new Remote(parsed, new S3Download(this)::download);
        default -> throw new ModelFetchException(ModelLoad.INVALID_SOURCE,
            "MODELPILOT_MODEL_URI must be file://, http://, https:// or s3://, got: " + uri);
      };
      return cached(remote, expected);
    } catch (ModelFetchException e) {
      throw e;
    } catch (IOException e) {
      throw new ModelFetchException(ModelLoad.DOWNLOAD_FAILED, "cannot fetch the model " + uri + ": " + e, e);
    }
  }

  /** A file:// path with no '..' segment, also none written as %2e%2e. */
  private static Path localFile(URI uri) throws ModelFetchException {
    Path p;
    try {
      p = Path.of(uri);
    } catch (IllegalArgumentException e) {
      throw new ModelFetchException(ModelLoad.INVALID_SOURCE, "MODELPILOT_MODEL_URI: not a local file path: " + uri);
    }
    for (Path part : p) {
      if (part.toString().equals("..")) {
        throw new ModelFetchException(ModelLoad.INVALID_SOURCE,
            "MODELPILOT_MODEL_URI may not contain '..' segments: " + uri);
      }
    }
    if (!Files.isRegularFile(p)) {
      throw new ModelFetchException(ModelLoad.NOT_FOUND, "MODELPILOT_MODEL_URI: no model file at " + p);
    }
    return p;
  }

  /** Writes the model at a URI into a file, returning the SHA-256 of what it wrote. */
  @FunctionalInterface
  interface Downloader {
    String download(URI uri, Path target) throws IOException;
  }

  private record Remote(URI uri, Downloader downloader) {
  }

  /**
   * The cached file when there is one (its digest checked again when one is expected), else a fresh download
   * moved into place only once complete and verified: a file in the cache is always a whole model.
   */
  private Path cached(Remote remote, Optional<String> expected) throws IOException {
    // without a cache directory (a server started by hand) every start downloads afresh
    Path dir = options.cacheDir().isPresent() ? Files.createDirectories(options.cacheDir().get())
        : Files.createTempDirectory("modelpilot-model-");
    String key = expected.map(sha -> "sha256-" + sha)
        .orElseGet(() -> "uri-" + sha256(remote.uri() + "|" + options.s3Endpoint().map(URI::toString).orElse("")));
    Path target = dir.resolve(key + ".onnx");
    if (Files.isRegularFile(target)) {
      if (expected.isEmpty() || sha256(target).equals(expected.get())) {
        LOG.infof("reusing the model downloaded before from %s (%s)", remote.uri(), target);
        return target;
      }
      Files.delete(target); // not the expected model: download it again
    }
    deleteLeftovers(dir, key);
    Path part = Files.createTempFile(dir, key + "-", ".part");
    try {
      String actual = remote.downloader().download(remote.uri(), part);
      if (expected.isPresent()) {
        verify(remote.uri().toString(), actual, expected.get());
      }
      try {
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (FileSystemException e) {
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
      }
      return target;
    } finally {
      Files.deleteIfExists(part);
    }
  }

  /** Partial downloads of a container that was killed mid-way. */
  private static void deleteLeftovers(Path dir, String key) throws IOException {
    try (DirectoryStream<Path> parts = Files.newDirectoryStream(dir, key + "-*.part")) {
      for (Path p : parts) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void verify(String uri, String actual, String expected) throws ModelFetchException {
    if (!actual.equals(expected)) {
      throw new ModelFetchException(ModelLoad.DIGEST_MISMATCH, "the model at " + uri + " has SHA-256 " + actual
          + ", but spec.model.sha256 (MODELPILOT_MODEL_SHA256) expects " + expected);
    }
  }

  /**
   * GET over HttpURLConnection, whose read timeout bounds every wait for bytes. Redirects are followed by hand:
   * never from https to http, and credentials go only to the origin they were meant for.
   */
  private String httpDownload(URI uri, Path target) throws IOException {
    Optional<String> authorization = authorization();
    if (authorization.isPresent() && uri.getScheme().equalsIgnoreCase("http") && !options.allowPlainHttp()) {
      throw new ModelFetchException(ModelLoad.INVALID_SOURCE, "MODELPILOT_MODEL_URI: credentials are only sent "
          + "over TLS; use https:// or set MODELPILOT_MODEL_ALLOW_PLAIN_HTTP=true (spec.model.allowPlainHttp)");
    }
    long deadline = System.nanoTime() + options.downloadTimeout().toNanos();
    URI current = uri;
    for (int hop = 0; ; hop++) {
      HttpURLConnection c = (HttpURLConnection) current.toURL().openConnection();
      try {
        c.setInstanceFollowRedirects(false);
        c.setConnectTimeout(millis(options.readTimeout()));
        c.setReadTimeout(millis(options.readTimeout()));
        if (sameOrigin(current, uri)) {
          authorization.ifPresent(a -> c.setRequestProperty("Authorization", a));
        }
        int code;
        try {
          code = c.getResponseCode();
        } catch (SocketTimeoutException e) {
          throw timeout(current, e);
        }
        if (code >= 300 && code < 400 && c.getHeaderField("Location") != null) {
          URI next = current.resolve(c.getHeaderField("Location"));
          if (hop >= MAX_REDIRECTS) {
            throw new ModelFetchException(ModelLoad.DOWNLOAD_FAILED, "GET " + uri + ": more than " + MAX_REDIRECTS
                + " redirects");
          }
          if (current.getScheme().equalsIgnoreCase("https") && !next.getScheme().equalsIgnoreCase("https")) {
            throw new ModelFetchException(ModelLoad.DOWNLOAD_FAILED, "GET " + uri
                + ": refusing a redirect from https to " + next.getScheme());
          }
          current = next;
          continue;
        }
        if (code == 401 || code == 403) {
          throw new ModelFetchException(ModelLoad.ACCESS_DENIED, "MODELPILOT_MODEL_URI: GET " + current
              + " answered HTTP " + code
              + (authorization.isEmpty() ? " (no credentialsSecretRef given)" : ": the credentials were refused"));
        }
        if (code == 404) {
          throw new ModelFetchException(ModelLoad.NOT_FOUND, "MODELPILOT_MODEL_URI: GET " + current
              + " answered HTTP 404: no model there");
        }
        if (code != 200) {
          throw new ModelFetchException(ModelLoad.DOWNLOAD_FAILED, "MODELPILOT_MODEL_URI: GET " + current
              + " answered HTTP " + code);
        }
        checkDeclaredSize(current, c.getContentLengthLong());
        try (InputStream in = c.getInputStream()) {
          return copy(current, in, target, deadline);
        }
      } finally {
        c.disconnect();
      }
    }
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
        && a.getPort() == b.getPort();
  }

  void checkDeclaredSize(URI uri, long declared) throws ModelFetchException {
    if (declared > options.maxBytes()) {
      throw tooLarge(uri, declared + " bytes");
    }
  }

  private ModelFetchException tooLarge(URI uri, String size) {
    return new ModelFetchException(ModelLoad.TOO_LARGE, "the model at " + uri + " is " + size + ", more than "
        + "the cap of " + options.maxBytes() + " bytes (spec.model.maxSize, MODELPILOT_MODEL_MAX_BYTES)");
  }

  ModelFetchException timeout(URI uri, Exception cause) {
    return new ModelFetchException(ModelLoad.DOWNLOAD_TIMEOUT, "downloading " + uri + " stalled: no data for "
        + options.readTimeout().toSeconds() + " s (MODELPILOT_MODEL_READ_TIMEOUT)", cause);
  }

  /**
   * Copies at most {@code maxBytes} into {@code target} and returns their SHA-256. Each read waits at most the read
   * timeout (the connection's own); past {@code deadline} (System.nanoTime) the download fails.
   */
  String copy(URI uri, InputStream in, Path target, long deadline) throws IOException {
    MessageDigest digest = newSha256();
    long copied = 0;
    byte[] buffer = new byte[1 << 16];
    try (OutputStream out = Files.newOutputStream(target)) {
      for (int n; (n = read(uri, in, buffer)) >= 0; ) {
        copied += n;
        if (copied > options.maxBytes()) {
          throw tooLarge(uri, "more than " + options.maxBytes() + " bytes");
        }
        if (System.nanoTime() > deadline) {
          throw new ModelFetchException(ModelLoad.DOWNLOAD_TIMEOUT, "downloading " + uri + " took longer than "
              + options.downloadTimeout().toSeconds() + " s (MODELPILOT_MODEL_DOWNLOAD_TIMEOUT) after " + copied
              + " bytes");
        }
        digest.update(buffer, 0, n);
        out.write(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private int read(URI uri, InputStream in, byte[] buffer) throws IOException {
    try {
      return in.read(buffer);
    } catch (SocketTimeoutException e) {
      throw timeout(uri, e);
    }
  }

  private Optional<String> authorization() throws IOException {
    if (options.credentialsDir().isEmpty()) {
      return Optional.empty();
    }
    Path dir = requireKeys(options.credentialsDir().get());
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
    throw new ModelFetchException(ModelLoad.INVALID_SOURCE, "MODELPILOT_MODEL_CREDENTIALS_DIR (" + dir
        + ") holds neither 'token' nor 'username' and 'password'");
  }

  /**
   * The credentials directory, if it holds at least one key. The operator mounts the Secret as an optional volume:
   * when the Secret does not exist, the directory is there but empty (a Secret volume's only entries are then
   * kubelet's {@code ..data} links), and that is reported as the Secret missing, not as a malformed one.
   */
  static Path requireKeys(Path dir) throws IOException {
    boolean anyKey = false;
    if (Files.isDirectory(dir)) {
      try (var entries = Files.list(dir)) {
        anyKey = entries.anyMatch(e -> !e.getFileName().toString().startsWith("..") && Files.isRegularFile(e));
      }
    }
    if (!anyKey) {
      throw new ModelFetchException(ModelLoad.CREDENTIALS_NOT_FOUND, "the credentials Secret "
          + "(spec.model.credentialsSecretRef.name) is missing or empty: MODELPILOT_MODEL_CREDENTIALS_DIR (" + dir
          + ") holds no keys; create the Secret in this namespace and the pod loads the model on its next start");
    }
    return dir;
  }

  private static int millis(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(String text) {
    return HexFormat.of().formatHex(newSha256().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = newSha256();
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    }
  }
}
