package io.modelpilot.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The fabric8 CRUD mock server, taught server-side apply.
 *
 * <p>The stock mock refuses {@code application/apply-patch+yaml} (404 when the object is missing,
 * 415 when it exists), drops a status write whose path carries a query string, and merges JSON
 * merge patches by appending arrays. A real API server does none of that, and the operator runs
 * with server-side apply on, as in production. This dispatcher approximates apply for a single
 * field manager the way the API server behaves for it:
 *
 * <ul>
 *   <li>create when the object is missing;
 *   <li>otherwise remove the fields this manager applied last time and omits now, then merge the
 *       applied object in (maps merged, lists and scalars replaced);
 *   <li>record {@code metadata.managedFields} ({@code operation: Apply}, {@code FieldsV1}) so that
 *       JOSDK's SSA-based matcher sees which fields the operator owns. Lists are recorded as
 *       atomic, which is exact for this mock because it never defaults fields inside list items.
 * </ul>
 *
 * It also records every request, so tests can count writes and check RBAC coverage.
 */
public class ServerSideApplyDispatcher extends KubernetesCrudDispatcher {

  public record Request(String method, String path, String contentType, String userAgent) {
    public boolean isWrite() {
      return !method.equals("GET");
    }

    public String pathWithoutQuery() {
      int q = path.indexOf('?');
      return q < 0 ? path : path.substring(0, q);
    }
  }

  private static final String APPLY_CONTENT_TYPE = "application/apply-patch+yaml";
  private static final Set<String> SERVER_OWNED_METADATA =
      Set.of("name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
          "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink");

  private final ObjectMapper json = new ObjectMapper();
  private final ObjectMapper yaml = new YAMLMapper();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  /** Fields each manager applied to a status subresource: a PUT to /status cannot carry them. */
  private final Map<String, ObjectNode> statusFieldsByManager = new ConcurrentHashMap<>();
  private final Object applyLock = new Object();
  private static final java.util.regex.Pattern POD_LOG =
      java.util.regex.Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/]+)/log$");
  /** What a kubelet would serve as a pod's log: (namespace, name) → text, or null for a pod it does not run. */
  private volatile java.util.function.BiFunction<String, String, String> podLogs = (namespace, name) -> null;

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String contentType = request.getHeader("Content-Type");
    requests.add(new Request(request.getMethod(), request.getPath(), contentType, request.getHeader("User-Agent")));
    if (request.method() == HttpMethod.PATCH && contentType != null
        && contentType.startsWith(APPLY_CONTENT_TYPE)) {
      return apply(request);
    }
    if (request.method() == HttpMethod.PATCH && contentType != null
        && contentType.startsWith("application/merge-patch+json")) {
      return mergePatch(request);
    }
    java.util.regex.Matcher log = POD_LOG.matcher(stripQuery(request.getPath()));
    if (request.method() == HttpMethod.GET && log.matches()) {
      // the stock CRUD handlers know no pod logs; the kubelet's part of the cluster does
      String text = podLogs.apply(log.group(1), log.group(2));
      return text == null ? status(404, "pods \"" + log.group(2) + "\" not found")
          : new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody(text);
    }
    if (request.method() == HttpMethod.PATCH || request.method() == HttpMethod.PUT) {
      // the stock handlers decide "status or not" on the raw path, query string included
      return super.dispatch(withPath(request, request.getMethod(), stripQuery(request.getPath()),
          request.getBody().readUtf8(), contentType));
    }
    return super.dispatch(request);
  }

  /** Serves GET .../pods/{name}/log (the local cluster's kubelet, or a test playing one). */
  public void podLogs(java.util.function.BiFunction<String, String, String> logs) {
    this.podLogs = logs;
  }

  /** Every request received so far, oldest first. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public List<Request> writes() {
    return requests.stream().filter(Request::isWrite).toList();
  }

  private MockResponse apply(RecordedRequest request) {
    String path = stripQuery(request.getPath());
    String manager = queryParameter(request.getPath(), "fieldManager");
    if (manager == null || manager.isBlank()) {
      return status(400, "fieldManager is required for apply patch");
    }
    ObjectNode applied;
    try {
      applied = (ObjectNode) yaml.readTree(request.getBody().readUtf8());
    } catch (JsonProcessingException | ClassCastException e) {
      return status(400, "apply patch is not a YAML object: " + e.getMessage());
    }
    boolean statusSubresource = path.endsWith("/status");
    String objectPath = statusSubresource ? path.substring(0, path.length() - "/status".length()) : path;

    synchronized (applyLock) {
      MockResponse existing = super.handleGet(objectPath);
      if (existing.code() == 404) {
        if (statusSubresource) {
          return status(404, "the object at " + objectPath + " does not exist");
        }
        ObjectNode created = applied.deepCopy();
        setManagedFields(created, manager, fieldsOf(applied, true));
        String collection = objectPath.substring(0, objectPath.lastIndexOf('/'));
        return super.handleCreate(withPath(request, "POST", collection, write(created), "application/json"));
      }
      ObjectNode current = (ObjectNode) read(bodyOf(existing));
      String appliedVersion = applied.path("metadata").path("resourceVersion").asText("");
      String currentVersion = current.path("metadata").path("resourceVersion").asText("");
      if (!appliedVersion.isEmpty() && !appliedVersion.equals(currentVersion)) {
        return status(409, "the object has been modified; please apply your changes to the latest version");
      }
      ObjectNode result = current.deepCopy();
      if (statusSubresource) {
        String key = objectPath + "|" + manager;
        JsonNode appliedStatus = applied.path("status");
        ObjectNode newFields = appliedStatus.isObject() ? fieldsOf(appliedStatus, false) : json.createObjectNode();
        ObjectNode oldFields = statusFieldsByManager.get(key);
        ObjectNode status = result.path("status").isObject() ? (ObjectNode) result.get("status") : result.putObject("status");
        if (oldFields != null) {
          prune(status, oldFields, newFields);
        }
        if (appliedStatus.isObject()) {
          merge(status, (ObjectNode) appliedStatus);
        }
        statusFieldsByManager.put(key, newFields);
        return super.handleUpdate(withPath(request, "PUT", path, write(result), "application/json"));
      }
      ObjectNode newFields = fieldsOf(applied, true);
      ObjectNode oldFields = managedFieldsOf(current, manager);
      if (oldFields != null) {
        prune(result, oldFields, newFields);
      }
      ObjectNode body = applied.deepCopy();
      body.remove("status");
      merge(result, body);
      ((ObjectNode) result.get("metadata")).put("resourceVersion", currentVersion);
      setManagedFields(result, manager, newFields);
      return super.handleUpdate(withPath(request, "PUT", objectPath, write(result), "application/json"));
    }
  }

  /** RFC 7386, which the stock mock gets wrong (it appends arrays and ignores null). */
  private MockResponse mergePatch(RecordedRequest request) {
    String path = stripQuery(request.getPath());
    boolean statusSubresource = path.endsWith("/status");
    String objectPath = statusSubresource ? path.substring(0, path.length() - "/status".length()) : path;
    JsonNode patch = read(request.getBody().readUtf8());
    if (!patch.isObject()) {
      return status(400, "merge patch must be a JSON object");
    }
    synchronized (applyLock) {
      MockResponse existing = super.handleGet(objectPath);
      if (existing.code() == 404) {
        return status(404, "the object at " + objectPath + " does not exist");
      }
      ObjectNode result = (ObjectNode) read(bodyOf(existing));
      String currentVersion = result.path("metadata").path("resourceVersion").asText("");
      merge(result, (ObjectNode) patch);
      String patchVersion = patch.path("metadata").path("resourceVersion").asText("");
      ((ObjectNode) result.get("metadata")).put("resourceVersion", patchVersion.isEmpty() ? currentVersion : patchVersion);
      return super.handleUpdate(withPath(request, "PUT", path, write(result), "application/json"));
    }
  }

  /** The FieldsV1 set of an applied object: every map key as {@code f:key}, lists atomic. */
  private ObjectNode fieldsOf(JsonNode node, boolean topLevel) {
    ObjectNode fields = json.createObjectNode();
    node.fields().forEachRemaining(e -> {
      String name = e.getKey();
      JsonNode value = e.getValue();
      if (topLevel && (name.equals("apiVersion") || name.equals("kind") || name.equals("status"))) {
        return;
      }
      if (topLevel && name.equals("metadata")) {
        ObjectNode metadata = value.deepCopy();
        SERVER_OWNED_METADATA.forEach(metadata::remove);
        if (!metadata.isEmpty()) {
          fields.set("f:metadata", fieldsOf(metadata, false));
        }
        return;
      }
      if (value.isNull()) {
        return;
      }
      fields.set("f:" + name, value.isObject() && !value.isEmpty() ? fieldsOf(value, false) : json.createObjectNode());
    });
    return fields;
  }

  /** Removes from target what the manager owned before ({@code oldFields}) and no longer applies. */
  private static void prune(ObjectNode target, JsonNode oldFields, JsonNode newFields) {
    oldFields.fields().forEachRemaining(e -> {
      if (!e.getKey().startsWith("f:")) {
        return;
      }
      String name = e.getKey().substring(2);
      JsonNode newChild = newFields.get(e.getKey());
      if (newChild == null) {
        target.remove(name);
      } else if (!e.getValue().isEmpty() && !newChild.isEmpty() && target.get(name) instanceof ObjectNode child) {
        prune(child, e.getValue(), newChild);
      }
    });
  }

  /** RFC 7386 merge: maps merge, everything else replaces, null deletes. */
  private static void merge(ObjectNode target, ObjectNode patch) {
    patch.fields().forEachRemaining(e -> {
      JsonNode value = e.getValue();
      if (value.isNull()) {
        target.remove(e.getKey());
      } else if (value.isObject() && target.get(e.getKey()) instanceof ObjectNode existing) {
        merge(existing, (ObjectNode) value);
      } else {
        target.set(e.getKey(), value.deepCopy());
      }
    });
  }

  private static ObjectNode managedFieldsOf(JsonNode object, String manager) {
    for (JsonNode entry : object.path("metadata").path("managedFields")) {
      if (manager.equals(entry.path("manager").asText()) && "Apply".equals(entry.path("operation").asText())
          && entry.path("subresource").asText("").isEmpty() && entry.get("fieldsV1") instanceof ObjectNode f) {
        return f;
      }
    }
    return null;
  }

  private void setManagedFields(ObjectNode object, String manager, ObjectNode fields) {
    ObjectNode metadata = object.path("metadata").isObject() ? (ObjectNode) object.get("metadata") : object.putObject("metadata");
    ArrayNode kept = json.createArrayNode();
    for (JsonNode entry : metadata.path("managedFields")) {
      if (!(manager.equals(entry.path("manager").asText()) && "Apply".equals(entry.path("operation").asText())
          && entry.path("subresource").asText("").isEmpty())) {
        kept.add(entry);
      }
    }
    ObjectNode entry = kept.addObject();
    entry.put("manager", manager);
    entry.put("operation", "Apply");
    entry.put("apiVersion", object.path("apiVersion").asText());
    entry.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    entry.put("fieldsType", "FieldsV1");
    entry.set("fieldsV1", fields);
    metadata.set("managedFields", kept);
  }

  private static RecordedRequest withPath(RecordedRequest original, String method, String path, String body,
      String contentType) {
    Headers.Builder headers = original.getHeaders().newBuilder();
    if (contentType != null) {
      headers.set("Content-Type", contentType);
    }
    return new RecordedRequest(original.getHttpVersion(), HttpMethod.valueOf(method), path, headers.build(),
        new Buffer(body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8)));
  }

  private static String stripQuery(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  static String queryParameter(String path, String name) {
    int q = path.indexOf('?');
    if (q < 0) {
      return null;
    }
    for (String pair : path.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static String bodyOf(MockResponse response) {
    return response.getBody() == null ? "" : new String(response.getBody().getBytes(), StandardCharsets.UTF_8);
  }

  private JsonNode read(String body) {
    try {
      return json.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("mock server holds invalid JSON", e);
    }
  }

  private String write(JsonNode node) {
    try {
      return json.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static MockResponse status(int code, String message) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("apiVersion", "v1").put("kind", "Status").put("status", "Failure").put("message", message).put("code", code);
    return new MockResponse().setResponseCode(code).setBody(body.toString());
  }
}
