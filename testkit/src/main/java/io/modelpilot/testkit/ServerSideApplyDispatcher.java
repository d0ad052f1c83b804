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
 * The fabric8 CRUD mock server, taught to behave like a real API server where clients notice.
 *
 * <p>The stock mock refuses {@code application/apply-patch+yaml} (404 when the object is missing,
 * 415 when it exists), drops a status write whose path carries a query string, merges JSON
 * merge patches by appending arrays, stores any custom resource unchecked (even one no CRD
 * defines) and serves almost no discovery. A real API server does none of that, and the operator
 * runs with server-side apply on, as in production. This dispatcher:
 *
 * <ul>
 *   <li>applies: creates when the object is missing; otherwise removes the fields this manager
 *       applied last time and omits now, then merges the applied object in: maps merged, keyed
 *       lists merged item by item ({@link ListTypes}: the CRD's {@code x-kubernetes-list-map-keys},
 *       the strategic merge keys of built-in types), sets united, other lists and scalars replaced;
 *   <li>records {@code metadata.managedFields} ({@code operation: Apply}, {@code FieldsV1}, keyed
 *       list items as {@code k:{...}}) so that JOSDK's SSA-based matcher sees which fields the
 *       operator owns;
 *   <li>admits every write of a custom resource (create, update, merge/JSON patch, apply, status
 *       included) as the API server does: prunes undeclared fields (400 when the client asked for
 *       {@code fieldValidation=Strict}), applies schema defaults, validates the schema and CEL
 *       rules ({@link CrdValidator}) and refuses with 422 Invalid naming each field; a resource
 *       type no stored CRD defines gets 404;
 *   <li>serves discovery and OpenAPI v3 ({@link Discovery}), so kubectl works against it;
 *   <li>answers SelfSubjectAccessReviews and SelfSubjectRulesReviews as for cluster-admin ({@link AccessReviews}),
 *       so JOSDK's Lease-access check before leader election passes.
 * </ul>
 *
 * Approximations: one owner per field (no conflicts between managers), and the watch, selector
 * and pagination limits of the stock mock.
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
  private static final String CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
  private static final java.util.regex.Pattern DNS_SUBDOMAIN =
      java.util.regex.Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final Set<String> SERVER_OWNED_METADATA =
      Set.of("name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
          "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink");

  private static final ObjectNode EMPTY_FIELDS = JsonNodeFactory.instance.objectNode();
  private final ObjectMapper json = new ObjectMapper();
  private final ObjectMapper yaml = new YAMLMapper();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  /** Fields each manager applied to a status subresource: a PUT to /status cannot carry them. */
  private final Map<String, ObjectNode> statusFieldsByManager = new ConcurrentHashMap<>();
  private final Object applyLock = new Object();
  private final CustomResourceTypes customTypes = new CustomResourceTypes();
  private final Discovery discovery = new Discovery(customTypes);
  private final AccessReviews accessReviews = new AccessReviews();
  private static final java.util.regex.Pattern POD_LOG =
      java.util.regex.Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/]+)/log$");
  /** What a kubelet would serve as a pod's log: (namespace, name) → text, or null for a pod it does not run. */
  private volatile java.util.function.BiFunction<String, String, String> podLogs = (namespace, name) -> null;

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String contentType = request.getHeader("Content-Type");
    requests.add(new Request(request.getMethod(), request.getPath(), contentType, request.getHeader("User-Agent")));
    String path = stripQuery(request.getPath());
    if (request.method() == HttpMethod.GET) {
      MockResponse served = discovery.serve(path);
      if (served != null) {
        return served;
      }
    }
    MockResponse review = accessReviews.answer(request, path);
    if (review != null) {
      return review;
    }
    ApiPath api = ApiPath.parse(path);
    CustomResourceTypes.Type type = null;
    if (api != null && !api.builtIn()) {
      type = customTypes.find(api.group(), api.version(), api.plural()).orElse(null);
      if (type == null) {
        // a real API server knows no resource type that no CRD defines
        return ApiStatus.notFound("the server could not find the requested resource");
      }
    }
    MockResponse response = route(request, contentType, path, type);
    if (api != null && api.group().equals("apiextensions.k8s.io") && api.plural().equals("customresourcedefinitions")
        && request.method() != HttpMethod.GET && response.code() < 300) {
      reloadCustomResourceTypes();
    }
    return response;
  }

  private MockResponse route(RecordedRequest request, String contentType, String path, CustomResourceTypes.Type type) {
    if (request.method() == HttpMethod.PATCH && contentType != null
        && contentType.startsWith(APPLY_CONTENT_TYPE)) {
      return apply(request, type);
    }
    if (request.method() == HttpMethod.PATCH && contentType != null
        && contentType.startsWith("application/merge-patch+json")) {
      return mergePatch(request, type);
    }
    if (request.method() == HttpMethod.PATCH && type != null && contentType != null
        && contentType.startsWith("application/json-patch+json")) {
      return jsonPatch(request, type);
    }
    java.util.regex.Matcher log = POD_LOG.matcher(path);
    if (request.method() == HttpMethod.GET && log.matches()) {
      // the stock CRUD handlers know no pod logs; the kubelet's part of the cluster does
      String text = podLogs.apply(log.group(1), log.group(2));
      return text == null ? ApiStatus.notFound("pods \"" + log.group(2) + "\" not found")
          : new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody(text);
    }
    if (type != null && (request.method() == HttpMethod.POST || request.method() == HttpMethod.PUT)) {
      JsonNode body;
      try {
        body = json.readTree(request.getBody().readUtf8());
      } catch (JsonProcessingException e) {
        return ApiStatus.badRequest("the body of the request is not a JSON object: " + e.getOriginalMessage());
      }
      if (!(body instanceof ObjectNode object)) {
        return ApiStatus.badRequest("the body of the request is not a JSON object");
      }
      Admission admitted = admit(type, object, request);
      if (admitted.rejection() != null) {
        return admitted.rejection();
      }
      RecordedRequest checked = withPath(request, request.getMethod(), path, write(admitted.object()), contentType);
      return request.method() == HttpMethod.POST ? super.handleCreate(checked) : super.handleUpdate(checked);
    }
    if (request.method() == HttpMethod.PATCH || request.method() == HttpMethod.PUT) {
      // the stock handlers decide "status or not" on the raw path, query string included
      return super.dispatch(withPath(request, request.getMethod(), path, request.getBody().readUtf8(), contentType));
    }
    return super.dispatch(request);
  }

  /** Rebuilds the custom resource types from the stored CRDs (after any CRD write). */
  private void reloadCustomResourceTypes() {
    MockResponse list = super.handleGet(CRD_PATH);
    List<JsonNode> crds = new java.util.ArrayList<>();
    if (list.code() == 200) {
      read(bodyOf(list)).path("items").forEach(crds::add);
    }
    customTypes.reload(crds);
  }

  /** What the API server's admission does with a custom resource: defaults, then schema and CEL validation. */
  private record Admission(ObjectNode object, MockResponse rejection) {
  }

  /**
   * Admits a custom resource as the API server would: prunes the fields its schema does not declare (refused
   * instead, with 400, when the client asked for {@code fieldValidation=Strict}, as kubectl does), applies the
   * schema's defaults, then validates metadata.name, the schema and the CEL rules (422 Invalid naming each field).
   */
  private Admission admit(CustomResourceTypes.Type type, ObjectNode object, RecordedRequest request) {
    boolean strict = "Strict".equals(queryParameter(request.getPath(), "fieldValidation"));
    ObjectNode defaulted = object;
    List<CrdValidator.Violation> violations = new java.util.ArrayList<>();
    String name = object.path("metadata").path("name").asText("");
    if (name.isEmpty()) {
      if (object.path("metadata").path("generateName").asText("").isEmpty()) {
        violations.add(new CrdValidator.Violation("metadata.name", "FieldValueRequired",
            "Required value: name or generateName is required"));
      }
    } else if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
      violations.add(new CrdValidator.Violation("metadata.name", "FieldValueInvalid", "Invalid value: \"" + name
          + "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and"
          + " must start and end with an alphanumeric character"));
    }
    if (type.validator() != null) {
      ObjectNode pruned = object.deepCopy();
      List<String> unknown = type.validator().pruneUnknownFields(pruned);
      if (strict && !unknown.isEmpty()) {
        return new Admission(null, ApiStatus.badRequest(type.kind() + " in version \"" + type.version()
            + "\" cannot be handled as a " + type.kind() + ": strict decoding error: "
            + unknown.stream().map(f -> "unknown field \"" + f + "\"").collect(java.util.stream.Collectors.joining(", "))));
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = json.convertValue(pruned, Map.class);
      defaulted = json.valueToTree(type.validator().withDefaults(map));
      violations.addAll(type.validator().violations(defaulted));
    }
    if (!violations.isEmpty()) {
      return new Admission(null, ApiStatus.invalid(type.kind(), type.group(), name, violations));
    }
    return new Admission(defaulted, null);
  }

  /** RFC 6902 on a custom resource, checked like any other write (the stock handler would store it unchecked). */
  private MockResponse jsonPatch(RecordedRequest request, CustomResourceTypes.Type type) {
    String path = stripQuery(request.getPath());
    String objectPath = path.endsWith("/status") ? path.substring(0, path.length() - "/status".length()) : path;
    JsonNode patch;
    try {
      patch = json.readTree(request.getBody().readUtf8());
    } catch (JsonProcessingException e) {
      return ApiStatus.badRequest("the JSON patch is not JSON: " + e.getOriginalMessage());
    }
    synchronized (applyLock) {
      MockResponse existing = super.handleGet(objectPath);
      if (existing.code() == 404) {
        return ApiStatus.notFound(type.plural() + "." + type.group() + " \"" + lastSegment(objectPath) + "\" not found");
      }
      JsonNode result;
      try {
        result = io.fabric8.zjsonpatch.JsonPatch.apply(patch, read(bodyOf(existing)));
      } catch (RuntimeException e) {
        return ApiStatus.status(422, "Invalid", "the JSON patch cannot be applied: " + e.getMessage());
      }
      Admission admitted = admit(type, (ObjectNode) result, request);
      if (admitted.rejection() != null) {
        return admitted.rejection();
      }
      return super.handleUpdate(withPath(request, "PUT", path, write(admitted.object()), "application/json"));
    }
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

  private MockResponse apply(RecordedRequest request, CustomResourceTypes.Type type) {
    String path = stripQuery(request.getPath());
    String manager = queryParameter(request.getPath(), "fieldManager");
    if (manager == null || manager.isBlank()) {
      return ApiStatus.badRequest("fieldManager is required for apply patch");
    }
    ObjectNode applied;
    try {
      applied = (ObjectNode) yaml.readTree(request.getBody().readUtf8());
    } catch (JsonProcessingException | ClassCastException e) {
      return ApiStatus.badRequest("apply patch is not a YAML object: " + e.getMessage());
    }
    boolean statusSubresource = path.endsWith("/status");
    String objectPath = statusSubresource ? path.substring(0, path.length() - "/status".length()) : path;
    ListTypes lists = type == null ? ListTypes.builtIn() : ListTypes.ofSchema(type.schema());

    synchronized (applyLock) {
      MockResponse existing = super.handleGet(objectPath);
      if (existing.code() == 404) {
        if (statusSubresource) {
          return ApiStatus.notFound("the object at " + objectPath + " does not exist");
        }
        ObjectNode created = applied.deepCopy();
        setManagedFields(created, manager, fieldsOf(applied, List.of(), lists));
        if (type != null) {
          Admission admitted = admit(type, created, request);
          if (admitted.rejection() != null) {
            return admitted.rejection();
          }
          created = admitted.object();
        }
        String collection = objectPath.substring(0, objectPath.lastIndexOf('/'));
        return super.handleCreate(withPath(request, "POST", collection, write(created), "application/json"));
      }
      ObjectNode current = (ObjectNode) read(bodyOf(existing));
      String appliedVersion = applied.path("metadata").path("resourceVersion").asText("");
      String currentVersion = current.path("metadata").path("resourceVersion").asText("");
      if (!appliedVersion.isEmpty() && !appliedVersion.equals(currentVersion)) {
        return ApiStatus.status(409, "Conflict",
            "the object has been modified; please apply your changes to the latest version");
      }
      ObjectNode result = current.deepCopy();
      String updatePath;
      Runnable remember = () -> { };
      if (statusSubresource) {
        String key = objectPath + "|" + manager;
        JsonNode appliedStatus = applied.path("status");
        List<String> at = List.of("status");
        ObjectNode newFields = appliedStatus.isObject() ? fieldsOf(appliedStatus, at, lists) : json.createObjectNode();
        ObjectNode oldFields = statusFieldsByManager.get(key);
        ObjectNode status = result.path("status").isObject() ? (ObjectNode) result.get("status") : result.putObject("status");
        if (oldFields != null) {
          prune(status, oldFields, newFields, at, lists);
        }
        if (appliedStatus.isObject()) {
          applyMerge(status, (ObjectNode) appliedStatus, at, lists);
        }
        remember = () -> statusFieldsByManager.put(key, newFields);
        updatePath = path;
      } else {
        ObjectNode newFields = fieldsOf(applied, List.of(), lists);
        ObjectNode oldFields = managedFieldsOf(current, manager);
        if (oldFields != null) {
          prune(result, oldFields, newFields, List.of(), lists);
        }
        ObjectNode body = applied.deepCopy();
        body.remove("status");
        applyMerge(result, body, List.of(), lists);
        ((ObjectNode) result.get("metadata")).put("resourceVersion", currentVersion);
        setManagedFields(result, manager, newFields);
        updatePath = objectPath;
      }
      if (type != null) {
        Admission admitted = admit(type, result, request);
        if (admitted.rejection() != null) {
          return admitted.rejection();
        }
        result = admitted.object();
      }
      MockResponse response = super.handleUpdate(withPath(request, "PUT", updatePath, write(result), "application/json"));
      if (response.code() < 300) {
        remember.run();
      }
      return response;
    }
  }

  /** RFC 7386, which the stock mock gets wrong (it appends arrays and ignores null). */
  private MockResponse mergePatch(RecordedRequest request, CustomResourceTypes.Type type) {
    String path = stripQuery(request.getPath());
    boolean statusSubresource = path.endsWith("/status");
    String objectPath = statusSubresource ? path.substring(0, path.length() - "/status".length()) : path;
    JsonNode patch;
    try {
      patch = json.readTree(request.getBody().readUtf8());
    } catch (JsonProcessingException e) {
      return ApiStatus.badRequest("the merge patch is not JSON: " + e.getOriginalMessage());
    }
    if (!patch.isObject()) {
      return ApiStatus.badRequest("merge patch must be a JSON object");
    }
    synchronized (applyLock) {
      MockResponse existing = super.handleGet(objectPath);
      if (existing.code() == 404) {
        return ApiStatus.notFound("the object at " + objectPath + " does not exist");
      }
      ObjectNode result = (ObjectNode) read(bodyOf(existing));
      String currentVersion = result.path("metadata").path("resourceVersion").asText("");
      mergePatch(result, (ObjectNode) patch);
      String patchVersion = patch.path("metadata").path("resourceVersion").asText("");
      ((ObjectNode) result.get("metadata")).put("resourceVersion", patchVersion.isEmpty() ? currentVersion : patchVersion);
      if (type != null) {
        Admission admitted = admit(type, result, request);
        if (admitted.rejection() != null) {
          return admitted.rejection();
        }
        result = admitted.object();
      }
      return super.handleUpdate(withPath(request, "PUT", path, write(result), "application/json"));
    }
  }

  /**
   * The FieldsV1 set of an applied object at {@code path}: every map key as {@code f:key}; the items of a keyed
   * list as {@code k:{"key":value}} with their own fields, of a set as {@code v:value}; other lists atomic.
   */
  private ObjectNode fieldsOf(JsonNode node, List<String> path, ListTypes lists) {
    ObjectNode fields = json.createObjectNode();
    node.fields().forEachRemaining(e -> {
      String name = e.getKey();
      JsonNode value = e.getValue();
      if (path.isEmpty() && (name.equals("apiVersion") || name.equals("kind") || name.equals("status"))) {
        return;
      }
      if (path.isEmpty() && name.equals("metadata")) {
        ObjectNode metadata = value.deepCopy();
        SERVER_OWNED_METADATA.forEach(metadata::remove);
        if (!metadata.isEmpty()) {
          fields.set("f:metadata", fieldsOf(metadata, List.of("metadata"), lists));
        }
        return;
      }
      if (value.isNull()) {
        return;
      }
      List<String> at = append(path, name);
      if (value.isObject() && !value.isEmpty()) {
        fields.set("f:" + name, fieldsOf(value, at, lists));
      } else if (value.isArray() && !lists.at(at).atomic() && itemKeys(value, lists.at(at)) != null) {
        ListTypes.ListType listType = lists.at(at);
        ObjectNode items = json.createObjectNode();
        for (JsonNode item : value) {
          ObjectNode itemFields = listType.set() || !item.isObject() ? json.createObjectNode() : fieldsOf(item, at, lists);
          if (!listType.set()) {
            ObjectNode self = json.createObjectNode();
            self.putObject(".");
            self.setAll(itemFields);
            itemFields = self;
          }
          items.set(itemKey(item, listType), itemFields);
        }
        fields.set("f:" + name, items);
      } else {
        fields.set("f:" + name, json.createObjectNode());
      }
    });
    return fields;
  }

  /** Removes from target what the manager owned before ({@code oldFields}) and no longer applies. */
  private static void prune(ObjectNode target, JsonNode oldFields, JsonNode newFields, List<String> path,
      ListTypes lists) {
    oldFields.fields().forEachRemaining(e -> {
      if (!e.getKey().startsWith("f:")) {
        return;
      }
      String name = e.getKey().substring(2);
      JsonNode newChild = newFields.get(e.getKey());
      if (newChild == null) {
        // no longer applied: drop what this manager owned in it, and the field once nothing else is left in it
        // (others' keys of a map, others' items of a keyed list)
        JsonNode value = target.get(name);
        if (!e.getValue().isEmpty() && value instanceof ObjectNode child) {
          prune(child, e.getValue(), EMPTY_FIELDS, append(path, name), lists);
          if (child.isEmpty()) {
            target.remove(name);
          }
        } else if (!e.getValue().isEmpty() && value instanceof ArrayNode list && !lists.at(append(path, name)).atomic()) {
          pruneList(list, e.getValue(), EMPTY_FIELDS, append(path, name), lists);
          if (list.isEmpty()) {
            target.remove(name);
          }
        } else {
          target.remove(name);
        }
      } else if (!e.getValue().isEmpty() && !newChild.isEmpty() && target.get(name) instanceof ObjectNode child) {
        prune(child, e.getValue(), newChild, append(path, name), lists);
      } else if (!e.getValue().isEmpty() && target.get(name) instanceof ArrayNode list
          && !lists.at(append(path, name)).atomic()) {
        pruneList(list, e.getValue(), newChild, append(path, name), lists);
      }
    });
  }

  /** A keyed list or set: drops the items the manager owned and no longer applies, prunes the ones it still does. */
  private static void pruneList(ArrayNode list, JsonNode oldItems, JsonNode newItems, List<String> path,
      ListTypes lists) {
    ListTypes.ListType listType = lists.at(path);
    oldItems.fields().forEachRemaining(e -> {
      if (!e.getKey().startsWith("k:") && !e.getKey().startsWith("v:")) {
        return;
      }
      for (int i = 0; i < list.size(); i++) {
        if (e.getKey().equals(itemKey(list.get(i), listType))) {
          JsonNode newItem = newItems.get(e.getKey());
          if (newItem == null) {
            list.remove(i);
          } else if (list.get(i) instanceof ObjectNode item) {
            prune(item, e.getValue(), newItem, path, lists);
          }
          return;
        }
      }
    });
  }

  /** Server-side apply's merge: maps merge, keyed lists and sets merge by item, other lists replace, null deletes. */
  private static void applyMerge(ObjectNode target, ObjectNode patch, List<String> path, ListTypes lists) {
    patch.fields().forEachRemaining(e -> {
      JsonNode value = e.getValue();
      List<String> at = append(path, e.getKey());
      if (value.isNull()) {
        target.remove(e.getKey());
      } else if (value.isObject() && target.get(e.getKey()) instanceof ObjectNode existing) {
        applyMerge(existing, (ObjectNode) value, at, lists);
      } else if (value.isArray() && target.get(e.getKey()) instanceof ArrayNode existing
          && !lists.at(at).atomic() && itemKeys(value, lists.at(at)) != null
          && itemKeys(existing, lists.at(at)) != null) {
        ListTypes.ListType listType = lists.at(at);
        for (JsonNode item : value) {
          String key = itemKey(item, listType);
          int found = -1;
          for (int i = 0; i < existing.size() && found < 0; i++) {
            if (key.equals(itemKey(existing.get(i), listType))) {
              found = i;
            }
          }
          if (found < 0) {
            existing.add(item.deepCopy());
          } else if (item.isObject() && existing.get(found) instanceof ObjectNode current) {
            applyMerge(current, (ObjectNode) item, at, lists);
          }
        }
      } else {
        target.set(e.getKey(), value.deepCopy());
      }
    });
  }

  /** RFC 7386 merge: maps merge, everything else replaces, null deletes. */
  private static void mergePatch(ObjectNode target, ObjectNode patch) {
    patch.fields().forEachRemaining(e -> {
      JsonNode value = e.getValue();
      if (value.isNull()) {
        target.remove(e.getKey());
      } else if (value.isObject() && target.get(e.getKey()) instanceof ObjectNode existing) {
        mergePatch(existing, (ObjectNode) value);
      } else {
        target.set(e.getKey(), value.deepCopy());
      }
    });
  }

  /** Every item's key, or null when some item lacks a key field (then the list is treated as atomic). */
  private static List<String> itemKeys(JsonNode list, ListTypes.ListType listType) {
    List<String> keys = new java.util.ArrayList<>();
    for (JsonNode item : list) {
      String key = itemKey(item, listType);
      if (key == null) {
        return null;
      }
      keys.add(key);
    }
    return keys;
  }

  /** An item's FieldsV1 key: {@code v:<json>} in a set, {@code k:{"key":value,...}} in a keyed list. */
  private static String itemKey(JsonNode item, ListTypes.ListType listType) {
    if (listType.set()) {
      return item.isValueNode() ? "v:" + item : null;
    }
    if (!item.isObject()) {
      return null;
    }
    ObjectNode key = JsonNodeFactory.instance.objectNode();
    for (String field : listType.keys()) {
      JsonNode value = item.get(field);
      if (value == null || !value.isValueNode()) {
        return null;
      }
      key.set(field, value);
    }
    return "k:" + key;
  }

  private static List<String> append(List<String> path, String field) {
    List<String> result = new java.util.ArrayList<>(path.size() + 1);
    result.addAll(path);
    result.add(field);
    return List.copyOf(result);
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

  private static String lastSegment(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
