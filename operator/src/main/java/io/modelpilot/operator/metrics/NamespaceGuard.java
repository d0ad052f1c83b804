package io.modelpilot.operator.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps a user's PromQL (custom metrics of autoscaling and canary analysis) to the series of its own namespace: every
 * vector selector must carry the matcher {@code namespace="<the ModelDeployment's namespace>"}. Prometheus has no
 * tenancy of its own, and the operator runs queries with its own access, so without this a ModelDeployment in
 * namespace a could read, through its status and Events, the series of namespace b.
 *
 * <p>No Java PromQL parser is available, so this is a tokenizer that finds every vector selector: strings (all
 * three quotings, with escapes), comments, ranges and subqueries ({@code [5m:1m]}) are skipped; an identifier
 * followed by {@code (} is a function or an aggregation; the label lists after {@code by}, {@code without},
 * {@code on}, {@code ignoring}, {@code group_left} and {@code group_right} are label names; keywords
 * ({@code and}, {@code or}, {@code unless}, {@code bool}, {@code offset}, {@code inf}, {@code nan}, …) and
 * numbers and durations are not selectors; every other identifier is a metric name, and a {@code {…}} after one
 * (or on its own) holds its matchers. Limits: only an exact {@code namespace="…"} matcher counts (a regex that
 * happens to match one namespace is refused), and the label must be called {@code namespace}, as in the
 * operator's own queries. A query the tokenizer cannot read (an unclosed string or brace) is refused.
 */
public final class NamespaceGuard {

  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf",
      "nan", "start", "end", "limitk", "limit_ratio");
  private static final Set<String> LABEL_LIST_KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
      "group_right");
  public static final String LABEL = "namespace";

  private NamespaceGuard() {
  }

  /** Empty when every selector of {@code query} is held to {@code namespace}; else what is wrong, in one line. */
  public static Optional<String> violation(String query, String namespace) {
    try {
      for (Selector s : selectors(query)) {
        if (!s.matchers().contains(new Matcher(LABEL, "=", namespace))) {
          return Optional.of("the selector " + s.text() + " does not keep to namespace \"" + namespace
              + "\": every selector needs " + LABEL + "=\"$namespace\"");
        }
      }
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of("cannot read the query: " + e.getMessage());
    }
  }

  /**
   * A client that sends only queries held to {@code namespace}; any other is answered as a bad query naming the
   * selector, and never reaches Prometheus. With {@code allowOtherNamespaces}: {@code client} itself.
   */
  public static PrometheusClient guard(PrometheusClient client, String namespace, boolean allowOtherNamespaces) {
    if (allowOtherNamespaces) {
      return client;
    }
    return query -> violation(query, namespace).<QueryResult>map(v -> new QueryResult.BadQuery("refused: " + v))
        .orElseGet(() -> client.query(query));
  }

  /** One label matcher, e.g. namespace="team-a". */
  record Matcher(String label, String op, String value) {
  }

  /** A vector selector as written, and its matchers. */
  record Selector(String text, List<Matcher> matchers) {
  }

  static List<Selector> selectors(String q) {
    List<Selector> selectors = new ArrayList<>();
    int i = 0;
    int n = q.length();
    while (i < n) {
      char c = q.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '#') {
        while (i < n && q.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '"' || c == '\'' || c == '`') {
        i = skipString(q, i);
      } else if (c == '[') {
        i = closing(q, i, '[', ']') + 1;
      } else if (c == '{') {
        int end = closing(q, i, '{', '}');
        selectors.add(new Selector(q.substring(i, end + 1), matchers(q.substring(i + 1, end))));
        i = end + 1;
      } else if (Character.isDigit(c) || c == '.' && i + 1 < n && Character.isDigit(q.charAt(i + 1))) {
        while (i < n && (Character.isLetterOrDigit(q.charAt(i)) || q.charAt(i) == '.' || q.charAt(i) == '_')) {
          i++;
        }
      } else if (Character.isLetter(c) || c == '_' || c == ':') {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(q.charAt(i)) || q.charAt(i) == '_' || q.charAt(i) == ':')) {
          i++;
        }
        String word = q.substring(start, i);
        int next = skipSpace(q, i);
        String lower = word.toLowerCase(Locale.ROOT);
        if (LABEL_LIST_KEYWORDS.contains(lower)) {
          if (next < n && q.charAt(next) == '(') {
            i = closing(q, next, '(', ')') + 1;
          }
        } else if (next < n && q.charAt(next) == '(' || KEYWORDS.contains(lower)
            || LABEL_LIST_KEYWORDS.contains(wordAt(q, next).toLowerCase(Locale.ROOT))) {
          // a function or an aggregation (its arguments are scanned on; "sum by (le) (…)" too), or a keyword
        } else if (next < n && q.charAt(next) == '{') {
          int end = closing(q, next, '{', '}');
          selectors.add(new Selector(q.substring(start, end + 1), matchers(q.substring(next + 1, end))));
          i = end + 1;
        } else {
          selectors.add(new Selector(word, List.of()));
        }
      } else {
        i++;
      }
    }
    return selectors;
  }

  /** The matchers between the braces of a selector; a quoted name on its own is the metric name. */
  static List<Matcher> matchers(String inside) {
    List<Matcher> matchers = new ArrayList<>();
    int i = 0;
    int n = inside.length();
    while (true) {
      i = skipSpace(inside, i);
      if (i >= n) {
        return matchers;
      }
      String label;
      if (inside.charAt(i) == '"' || inside.charAt(i) == '\'' || inside.charAt(i) == '`') {
        int end = skipString(inside, i);
        label = unquote(inside.substring(i, end));
        i = end;
      } else {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(inside.charAt(i)) || inside.charAt(i) == '_')) {
          i++;
        }
        label = inside.substring(start, i);
        if (label.isEmpty()) {
          throw new IllegalArgumentException("unexpected '" + inside.charAt(i) + "' in {" + inside + "}");
        }
      }
      i = skipSpace(inside, i);
      if (i >= n || inside.charAt(i) == ',') {
        i++; // a metric name written inside the braces
        continue;
      }
      String op = inside.startsWith("=~", i) || inside.startsWith("!=", i) || inside.startsWith("!~", i)
          ? inside.substring(i, i + 2) : inside.startsWith("=", i) ? "=" : null;
      if (op == null) {
        throw new IllegalArgumentException("no matcher operator after " + label + " in {" + inside + "}");
      }
      i = skipSpace(inside, i + op.length());
      if (i >= n || "\"'`".indexOf(inside.charAt(i)) < 0) {
        throw new IllegalArgumentException("the value of " + label + " is not a string in {" + inside + "}");
      }
      int end = skipString(inside, i);
      matchers.add(new Matcher(label, op, unquote(inside.substring(i, end))));
      i = skipSpace(inside, end);
      if (i < n && inside.charAt(i) != ',') {
        throw new IllegalArgumentException("expected ',' in {" + inside + "}");
      }
      i++;
    }
  }

  private static String wordAt(String s, int i) {
    int j = i;
    while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
      j++;
    }
    return s.substring(i, j);
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** The index after the string literal that starts at {@code i}. */
  private static int skipString(String s, int i) {
    char quote = s.charAt(i);
    int j = i + 1;
    while (j < s.length()) {
      char c = s.charAt(j);
      if (c == '\\' && quote != '`') {
        j += 2;
        continue;
      }
      if (c == quote) {
        return j + 1;
      }
      j++;
    }
    throw new IllegalArgumentException("unclosed string " + s.substring(i));
  }

  /** The index of the bracket that closes the one at {@code i}, strings inside skipped. */
  private static int closing(String s, int i, char open, char close) {
    int depth = 0;
    int j = i;
    while (j < s.length()) {
      char c = s.charAt(j);
      if (c == '"' || c == '\'' || c == '`') {
        j = skipString(s, j);
        continue;
      }
      if (c == open) {
        depth++;
      } else if (c == close && --depth == 0) {
        return j;
      }
      j++;
    }
    throw new IllegalArgumentException("unclosed '" + open + "' in " + s.substring(i));
  }

  private static String unquote(String literal) {
    String body = literal.substring(1, literal.length() - 1);
    if (literal.charAt(0) == '`') {
      return body;
    }
    StringBuilder out = new StringBuilder(body.length());
    for (int k = 0; k < body.length(); k++) {
      char c = body.charAt(k);
      if (c == '\\' && k + 1 < body.length()) {
        char e = body.charAt(++k);
        out.append(switch (e) {
          case 'n' -> '\n';
          case 't' -> '\t';
          default -> e;
        });
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
