package io.modelpilot.operator.search;

import java.util.SplittableRandom;

/**
 * Random streams derived from the study's seed and what has happened so far, never from a generator kept between
 * calls: that is what makes a suggestion a function of (seed, space, history).
 */
final class Seeds {

  private Seeds() {
  }

  static SplittableRandom random(long seed, long... salts) {
    return new SplittableRandom(mix(seed, salts));
  }

  static long mix(long seed, long... salts) {
    long h = splitMix(seed);
    for (long salt : salts) {
      h = splitMix(h ^ splitMix(salt + 0x632BE59BD9B4E019L));
    }
    return h;
  }

  private static long splitMix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
