package io.modelpilot.runtime.feedback;

import io.modelpilot.runtime.metrics.Predictions.Row;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PredictionTokensTest {

  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  static PredictionTokens pod(byte[] key, String revision, Clock clock) {
    return new PredictionTokens(key, revision, Duration.ofMinutes(10), clock);
  }

  @Test
  void aTokenOfOnePodIsAcceptedByAnotherWithTheSameKeyUnderTheIssuersRevision() {
    PredictionTokens a = pod(KEY, "rev-a", CLOCK);
    PredictionTokens b = pod(KEY.clone(), "rev-b", CLOCK);

    String token = a.issue("fraud", "req-1", List.of(new Row("2", 0.9), new Row("0", 0.7)));
    PredictionTokens.Claims claims = b.verify(token);

    assertThat(claims.revision()).isEqualTo("rev-a");
    assertThat(claims.model()).isEqualTo("fraud");
    assertThat(claims.requestId()).isEqualTo("req-1");
    assertThat(claims.rows()).containsExactly(new Row("2", 0.9), new Row("0", 0.7));
    assertThat(claims.requestRows()).isEqualTo(2);
    assertThat(claims.expiresAtEpochSecond()).isEqualTo(NOW.plus(Duration.ofMinutes(10)).getEpochSecond());
    assertThat(token).matches("[A-Za-z0-9_-]+");
  }

  @Test
  void regressionValuesAndMissingLabelsSurviveTheRoundTrip() {
    PredictionTokens a = pod(KEY, "", CLOCK);
    var claims = a.verify(a.issue("m", "ünï", List.of(new Row(null, -1.25), new Row("x", Double.NaN))));
    assertThat(claims.rows().get(0).label()).isNull();
    assertThat(claims.rows().get(0).value()).isEqualTo(-1.25);
    assertThat(claims.rows().get(1).value()).isNaN();
    assertThat(claims.requestId()).isEqualTo("ünï");
    assertThat(claims.revision()).isEmpty();
  }

  @Test
  void onlyTheFirst64RowsAreEmbedded() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      rows.add(new Row(Integer.toString(i), i));
    }
    PredictionTokens a = pod(KEY, "r", CLOCK);
    var claims = a.verify(a.issue("m", "big", rows));
    assertThat(claims.rows()).hasSize(PredictionTokens.MAX_ROWS);
    assertThat(claims.rows().get(63).label()).isEqualTo("63");
    assertThat(claims.requestRows()).isEqualTo(100);
  }

  @Test
  void twoTokensOfTheSameRequestDiffer() {
    PredictionTokens a = pod(KEY, "r", CLOCK);
    var first = a.verify(a.issue("m", "same", List.of(new Row("1", 1))));
    var second = a.verify(a.issue("m", "same", List.of(new Row("1", 1))));
    assertThat(List.of(first.replayKeyHigh(), first.replayKeyLow()))
        .isNotEqualTo(List.of(second.replayKeyHigh(), second.replayKeyLow()));
  }

  @Test
  void everyAlteredByteIsRefusedAsForgedOrMalformed() {
    PredictionTokens a = pod(KEY, "rev-a", CLOCK);
    byte[] bytes = Base64.getUrlDecoder().decode(a.issue("fraud", "req", List.of(new Row("1", 0.5))));
    for (int i = 0; i < bytes.length; i++) {
      byte[] altered = bytes.clone();
      altered[i] ^= 0x01;
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(altered);
      assertThatThrownBy(() -> a.verify(token)).as("byte %d", i).isInstanceOfSatisfying(PredictionTokens.Refused.class,
          r -> assertThat(r.status()).isIn(400, 403));
    }
  }

  @Test
  void aChangedPredictionIsRefusedAsForged() {
    PredictionTokens a = pod(KEY, "rev-a", CLOCK);
    byte[] bytes = Base64.getUrlDecoder().decode(a.issue("fraud", "req", List.of(new Row("1", 0.5))));
    // the label "1" is the byte after its u16 length: make it "2"
    int payload = bytes.length - 32;
    int labelAt = payload - 8 - 1;
    assertThat((char) bytes[labelAt]).isEqualTo('1');
    bytes[labelAt] = '2';
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    assertThat(refused(() -> a.verify(token), 403, "forged")).contains("signature does not match");
  }

  @Test
  void aTokenSignedWithAnotherKeyIsRefused() {
    String token = pod("another key, of another deployment".getBytes(), "rev-a", CLOCK)
        .issue("fraud", "req", List.of(new Row("1", 0.5)));
    refused(() -> pod(KEY, "rev-b", CLOCK).verify(token), 403, "forged");
  }

  @Test
  void anExpiredTokenIsRefused() {
    String token = pod(KEY, "rev-a", CLOCK).issue("fraud", "req", List.of(new Row("1", 0.5)));
    PredictionTokens later = pod(KEY, "rev-b", Clock.offset(CLOCK, Duration.ofMinutes(10)));
    PredictionTokens justBefore = pod(KEY, "rev-b", Clock.offset(CLOCK, Duration.ofSeconds(599)));

    assertThat(justBefore.verify(token).revision()).isEqualTo("rev-a");
    assertThat(refused(() -> later.verify(token), 403, "expired")).contains("expired at 2026-12-01T10:10:00Z");
  }

  @Test
  void textThatIsNoTokenIsMalformed() {
    PredictionTokens a = pod(KEY, "r", CLOCK);
    for (String bad : List.of("", "not base64!", "AAAA", "x".repeat(PredictionTokens.MAX_TOKEN_CHARS + 1))) {
      refused(() -> a.verify(bad), 400, "malformed");
    }
    assertThatThrownBy(() -> a.verify(null)).isInstanceOf(PredictionTokens.Refused.class);
  }

  @Test
  void keysShorterThan16BytesAreRefused() {
    assertThatThrownBy(() -> pod(new byte[15], "r", CLOCK)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("16 bytes");
  }

  @Test
  void noPredictionsNoToken() {
    assertThat(pod(KEY, "r", CLOCK).issue("m", "id", List.of())).isNull();
  }

  /** The call is refused with this status and reason; the refusal's message, for what else it must say. */
  private static String refused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, int status,
      String reason) {
    PredictionTokens.Refused r = org.assertj.core.api.Assertions.catchThrowableOfType(PredictionTokens.Refused.class,
        call);
    assertThat(r).as("refused").isNotNull();
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.reason()).isEqualTo(reason);
    return r.getMessage();
  }
}
