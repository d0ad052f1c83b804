package io.modelpilot.runtime.model;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP server that answers every GET with 200, a Content-Length of {@code declared} bytes, the first 16 of
 * them, and then nothing until it is closed: a stalled object store or CDN.
 */
final class StallingServer implements AutoCloseable {

  private final HttpServer server;
  private final CountDownLatch closed = new CountDownLatch(1);

  StallingServer(long declared) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "stalling-server");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
      exchange.sendResponseHeaders(200, declared);
      OutputStream body = exchange.getResponseBody();
      body.write(new byte[16]);
      body.flush();
      try {
        closed.await(5, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    server.start();
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
  }
}
