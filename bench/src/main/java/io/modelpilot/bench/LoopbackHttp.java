package io.modelpilot.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A minimal keep-alive HTTP/1.1 client for loopback measurements: one connection, the whole
 * request in one write with TCP_NODELAY, Content-Length responses only. It measures the server,
 * not a general-purpose client's own queues and thread hand-offs (the JDK client added several
 * milliseconds per request here).
 */
final class LoopbackHttp implements AutoCloseable {

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private final byte[] request;

  /** POSTs body (JSON) to uri; a null body GETs uri. */
  LoopbackHttp(URI uri, String body) throws IOException {
    socket = new Socket(uri.getHost(), uri.getPort());
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    byte[] head = (body == null ? "GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n\r\n"
        : "POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + payload.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    request = new byte[head.length + payload.length];
    System.arraycopy(head, 0, request, 0, head.length);
    System.arraycopy(payload, 0, request, head.length, payload.length);
  }

  /** Sends the request, reads the whole response, returns the status code. */
  int send() throws IOException {
    out.write(request);
    out.flush();
    String status = line();
    int code = Integer.parseInt(status.split(" ")[1]);
    int length = -1;
    for (String header = line(); !header.isEmpty(); header = line()) {
      int colon = header.indexOf(':');
      if (colon > 0 && header.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
        length = Integer.parseInt(header.substring(colon + 1).trim());
      }
    }
    if (length < 0) {
      throw new IOException("response without Content-Length");
    }
    in.readNBytes(length);
    return code;
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(64);
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
