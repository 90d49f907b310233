#!/usr/bin/env python3
"""Known answers for the scene language's distributions (Tests/SceneScriptTests/DistributionTests.swift).

An implementation of docs/LANGUAGE.md ("Generator" and "Distributions") independent of the
Swift code: Python's math.erfc, statistics.NormalDist.inv_cdf and colorsys. Run it and paste
the printed lines into the tests:  python3 Tests/SceneScriptTests/Fixtures/make_distribution_vectors.py
"""
import colorsys
import math
from statistics import NormalDist

M = (1 << 64) - 1
G = 0x9E3779B97F4A7C15


def mix(x):
    z = (x + G) & M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M


class Rng:
    def __init__(self, seed, index):
        s0 = mix(seed) ^ mix((index + 0x632BE59BD9B4E019) & M)
        self.s = [mix((s0 + i * G) & M) for i in range(4)]

    def next(self):
        s = self.s
        r = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45)
        return r

    def unit(self):
        return (self.next() >> 11) * 2.0 ** -53

    def uniform(self, a, b):
        return a + (b - a) * self.unit()

    def normal(self, m, sd):
        u1 = self.unit(); u2 = self.unit()
        return m + sd * math.sqrt(-2 * math.log(1 - u1)) * math.cos(2 * math.pi * u2)

    def truncnormal(self, mean, sd, lo, hi):
        u = self.unit()
        a, b = (lo - mean) / sd, (hi - mean) / sd
        mirrored = a > 0
        if mirrored:
            a, b = -b, -a
        cdf = lambda x: 0.5 * math.erfc(-x / math.sqrt(2))
        pa, pb = cdf(a), cdf(b)
        if pb - pa > 0:
            p = pa + u * (pb - pa)
            z = a if p <= 0 else b if p >= 1 else NormalDist().inv_cdf(p)
        else:
            z = b + math.log(1 - u) / -b
        z = min(max(z, a), b)
        if mirrored:
            z = -z
        return min(max(mean + sd * z, lo), hi)

    def lognormal(self, mu, sigma):
        return math.exp(self.normal(mu, sigma))

    def poisson(self, lam):
        u = self.unit()
        if lam <= 0:
            return 0
        last = math.ceil(lam + 40 * math.sqrt(lam) + 40)
        logp = -lam
        cumulative = math.exp(logp)
        k = 0
        while u >= cumulative and k < last:
            k += 1
            logp += math.log(lam) - math.log(k)
            cumulative += math.exp(logp)
        return k

    def weighted(self, weights):
        target = self.unit() * sum(weights)
        cumulative = 0.0
        last = 0
        for i, w in enumerate(weights):
            if w <= 0:
                continue
            cumulative += w
            last = i
            if target < cumulative:
                return i
        return last

    def random_color(self, hue=(0, 360), sat=(0, 1), val=(0, 1)):
        h = self.uniform(*hue); s = self.uniform(*sat); v = self.uniform(*val)
        return colorsys.hsv_to_rgb((h % 360) / 360, s, v)

    def point_in_rectangle(self, lo, hi):
        x = self.uniform(lo[0], hi[0])
        return (x, self.uniform(lo[1], hi[1]))

    def point_in_disc(self, c, radius):
        r = radius * math.sqrt(self.unit())
        theta = 2 * math.pi * self.unit()
        return (c[0] + r * math.cos(theta), c[1] + r * math.sin(theta))


def show(name, values):
    print(f"{name}: {values!r}")


r = Rng(1, 2); show("truncnormal(10, 2, 9, 14) seed 1 index 2", [r.truncnormal(10, 2, 9, 14) for _ in range(4)])
r = Rng(1, 2); show("truncnormal(0, 1, 3, 4) seed 1 index 2", [r.truncnormal(0, 1, 3, 4) for _ in range(3)])
r = Rng(1, 2); show("truncnormal(0, 1, 50, 60) seed 1 index 2", [r.truncnormal(0, 1, 50, 60) for _ in range(3)])
r = Rng(1, 2); show("lognormal(1, 0.5) seed 1 index 2", [r.lognormal(1, 0.5) for _ in range(3)])
r = Rng(1, 2); show("poisson(3.5) seed 1 index 2", [r.poisson(3.5) for _ in range(8)])
r = Rng(1, 2); show("poisson(2000) seed 1 index 2", [r.poisson(2000) for _ in range(3)])
r = Rng(1, 2); show("weighted([1, 0, 3, 6]) seed 1 index 2", [r.weighted([1, 0, 3, 6]) for _ in range(10)])
r = Rng(1, 2); show("random_color([30, 90], [0.5, 1], [0.2, 0.4]) seed 1 index 2", [r.random_color((30, 90), (0.5, 1), (0.2, 0.4)) for _ in range(2)])
r = Rng(1, 2); show("point_in_rectangle((10, 20), (30, 60)) seed 1 index 2", [r.point_in_rectangle((10, 20), (30, 60)) for _ in range(2)])
r = Rng(1, 2); show("point_in_disc((5, -5), 10) seed 1 index 2", [r.point_in_disc((5, -5), 10) for _ in range(2)])
