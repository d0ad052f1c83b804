package io.modelpilot.bench;

import java.util.Locale;
import java.util.Random;

/**
 * One deterministic load trace for bench/run autoscale, one value per second, from a seeded {@link Random}.
 *
 * <p>A base load of 10–30 requests/s; one or two surges, each a step or a 60–180 s ramp up to 80–200
 * requests/s, a 180–420 s plateau and a step or ramp back to the base; 3–6 spikes of 5–10 s at 1.5–3× the load
 * of the moment; and on every second ±15% uniform noise.
 *
 * @param underlying the load without noise and spikes, which the figures call the true load; index = second +
 *     warmup
 * @param load what the pods are offered: the underlying load with noise and spikes
 * @param warmup seconds before second 0, at the base load, that fill Prometheus' windows before anything decides
 */
record AutoscaleTrace(int index, double base, String shape, double[] underlying, double[] load, int warmup) {

  static AutoscaleTrace generate(int index, long seed, int warmup, int duration) {
    Random r = new Random(seed);
    int n = warmup + duration;
    double base = 10 + 20 * r.nextDouble();
    double[] u = new double[n];
    java.util.Arrays.fill(u, base);
    StringBuilder shape = new StringBuilder(String.format(Locale.ROOT, "%.0f", base));

    int surges = 1 + r.nextInt(2);
    int start = 180 + r.nextInt(241);
    for (int k = 0; k < surges; k++) {
      double peak = 80 + 120 * r.nextDouble();
      int rise = r.nextBoolean() ? 0 : 60 + r.nextInt(121);
      int plateau = 180 + r.nextInt(241);
      int fall = r.nextBoolean() ? 0 : 60 + r.nextInt(121);
      int latestEnd = duration - 60;
      if (start + rise + plateau + fall > latestEnd) {
        plateau = latestEnd - start - rise - fall;
        if (plateau < 120) {
          break; // no room for this surge
        }
      }
      for (int s = 0; s < rise + plateau + fall; s++) {
        double v;
        if (s < rise) {
          v = base + (peak - base) * s / rise;
        } else if (s < rise + plateau) {
          v = peak;
        } else {
          v = peak - (peak - base) * (s - rise - plateau) / fall;
        }
        u[warmup + start + s] = v;
      }
      shape.append(String.format(Locale.ROOT, " %s%.0f@%d%s", rise == 0 ? "↑" : "↗", peak, start,
          fall == 0 ? "↓" : "↘"));
      start += rise + plateau + fall + 120 + r.nextInt(181);
    }

    double[] load = new double[n];
    double[] spike = new double[n];
    java.util.Arrays.fill(spike, 1);
    int spikes = 3 + r.nextInt(4);
    for (int k = 0; k < spikes; k++) {
      int at = 30 + r.nextInt(duration - 60);
      int length = 5 + r.nextInt(6);
      double factor = 1.5 + 1.5 * r.nextDouble();
      for (int s = 0; s < length; s++) {
        spike[warmup + at + s] = factor;
      }
    }
    shape.append(" +").append(spikes).append(" spikes");
    for (int i = 0; i < n; i++) {
      double noise = 1 + 0.15 * (2 * r.nextDouble() - 1);
      load[i] = i < warmup ? u[i] * noise : u[i] * noise * spike[i];
    }
    return new AutoscaleTrace(index, base, shape.toString(), u, load, warmup);
  }
}
