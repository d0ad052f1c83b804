package io.modelpilot.operator.status;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;

import java.util.function.Supplier;

/** The body of a status patch: only name, namespace and status (the server-side apply intent of a status write). */
public final class StatusPatch {

  private StatusPatch() {
  }

  public static <S, T extends CustomResource<?, S>> T of(T resource, S status, Supplier<T> fresh) {
    T patch = fresh.get();
    patch.setMetadata(new ObjectMetaBuilder().withName(resource.getMetadata().getName())
        .withNamespace(resource.getMetadata().getNamespace()).build());
    patch.setStatus(status);
    return patch;
  }
}
