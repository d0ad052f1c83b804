package io.modelpilot.runtime.server;

import io.modelpilot.runtime.config.RuntimeSettings;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses an oversized request before its body is read, with the protocol's error shape (the
 * HTTP layer's own limit, quarkus.http.limits.max-body-size, stays as the backstop for bodies
 * sent without a Content-Length).
 */
@ApplicationScoped
public class BodyLimit {

  void install(@Observes Router router, RuntimeSettings settings) {
    long limit = settings.maxRequestBytes();
    router.route().order(-100).handler(ctx -> {
      String length = ctx.request().getHeader("Content-Length");
      if (length != null) {
        try {
          if (Long.parseLong(length.trim()) > limit) {
            ctx.response().setStatusCode(413).putHeader("Content-Type", "application/json")
                .end("{\"error\":\"request body of " + length.trim() + " bytes exceeds MODELPILOT_MAX_REQUEST_BYTES="
                    + limit + "\"}");
            return;
          }
        } catch (NumberFormatException e) {
          ctx.response().setStatusCode(400).putHeader("Content-Type", "application/json")
              .end("{\"error\":\"invalid Content-Length\"}");
          return;
        }
      }
      ctx.next();
    });
  }
}
