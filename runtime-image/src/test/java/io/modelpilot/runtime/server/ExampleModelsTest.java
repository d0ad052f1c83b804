package io.modelpilot.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelpilot.runtime.model.ModelRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Files;
import java.util.Iterator;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every model in examples/models answers its recorded cases (several datatypes, strings, FP64). */
@QuarkusTest
class ExampleModelsTest {

  @TestHTTPResource("/")
  URL url;

  @Inject
  ModelRegistry registry;

  @AfterEach
  void restore() throws Exception {
    ServedModel.restore(registry);
  }

  @Test
  void everyExampleModelGivesItsExpectedOutputs() throws Exception {
    V2Client client = new V2Client(url);
    JsonNode all = V2Client.JSON.readTree(Files.readString(Tensors.repo().resolve("examples/models/expected.json")));
    int checked = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = all.path("models").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> model = it.next();
      ServedModel.serve(registry, Tensors.repo().resolve("examples/models").resolve(model.getValue().path("file").asText()),
          model.getKey());
      for (JsonNode c : model.getValue().path("testCases")) {
        ObjectNode request = V2Client.JSON.createObjectNode();
        request.set("inputs", c.path("inputs"));
        V2Client.Reply reply = client.post("/v2/models/" + model.getKey() + "/infer", request);
        assertThat(reply.status()).as(model.getKey() + " " + reply.raw()).isEqualTo(200);
        for (JsonNode expected : c.path("outputs")) {
          assertThat(Tensors.compare(expected, Tensors.output(reply.body(), expected.path("name").asText()), 1e-5, 1e-4))
              .as(model.getKey() + " " + c.path("name").asText()).isEmpty();
        }
        checked++;
      }
      for (JsonNode c : model.getValue().path("rejectedCases")) {
        ObjectNode request = V2Client.JSON.createObjectNode();
        request.set("inputs", c.path("inputs"));
        V2Client.Reply reply = client.post("/v2/models/" + model.getKey() + "/infer", request);
        assertThat(reply.status()).as(model.getKey() + " rejects " + reply.raw()).isEqualTo(400);
        assertThat(reply.body().path("error").asText()).contains("shape");
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(18);
  }
}
