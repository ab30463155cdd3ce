package answer

import (
	"math"
	"slices"
)

// Gradient-boosted trees for the confidence: after the logistic model,
// boostRounds trees of depth boostDepth fit what it leaves, each split
// chosen on feature thresholds at quantiles of the training data, each
// leaf a Newton step on the log loss. Training is deterministic: no
// sampling, and ties go to the first feature and threshold.

const (
	boostRounds   = 150
	boostDepth    = 3
	boostRate     = 0.1
	boostLambda   = 1.0 // ridge on the leaf values
	boostMinHess  = 5.0 // the least hessian weight a child may have
	boostQuantile = 32  // candidate thresholds per feature
)

// A tree is a complete binary tree of depth boostDepth: node i's children
// are 2i+1 (f[Feature[i]] < Threshold[i]) and 2i+2; the last 2^depth nodes
// are the leaves, whose Value is added to the logit.
type tree struct {
	Feature   []int     `json:"f"`
	Threshold []float64 `json:"t"`
	Value     []float64 `json:"v"`
}

// at is the tree's value for f.
func (t *tree) at(f []float64) float64 {
	i := 0
	for range boostDepth {
		if f[t.Feature[i]] < t.Threshold[i] {
			i = 2*i + 1
		} else {
			i = 2*i + 2
		}
	}
	return t.Value[i-(1<<boostDepth-1)]
}

// noSplit is the threshold of a node that does not split: every example
// goes left.
const noSplit = 1e300

// boost fits boostRounds trees to the examples of xs that use picks,
// starting from the logits base (one per example of xs).
func boost(xs []example, base []float64, use func(*example) bool) []tree {
	var rows [][]float64
	var right []bool
	var ws, bs []float64
	for i := range xs {
		if use(&xs[i]) {
			rows, right = append(rows, xs[i].f[:]), append(right, xs[i].right)
			ws, bs = append(ws, xs[i].weight), append(bs, base[i])
		}
	}
	return boostRows(rows, right, ws, bs)
}

// boostRows fits boostRounds trees to rows (each of the same features),
// labelled right and weighing ws, starting from the logits base.
func boostRows(rows [][]float64, right []bool, ws, base []float64) []tree {
	nFeatures := len(rows[0])
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	// Candidate thresholds: distinct quantiles of each feature.
	cuts := make([][]float64, nFeatures)
	vals := make([]float64, len(idx))
	for j := range nFeatures {
		for k, i := range idx {
			vals[k] = rows[i][j]
		}
		slices.Sort(vals)
		for q := 1; q < boostQuantile; q++ {
			c := vals[q*len(vals)/boostQuantile]
			if c > vals[0] && (len(cuts[j]) == 0 || c > cuts[j][len(cuts[j])-1]) {
				cuts[j] = append(cuts[j], c)
			}
		}
	}
	// bin[k][j]: how many of feature j's cuts example idx[k] is at or above.
	bin := make([][]uint8, len(idx))
	for k, i := range idx {
		bin[k] = make([]uint8, nFeatures)
		for j := range nFeatures {
			n, _ := slices.BinarySearch(cuts[j], rows[i][j])
			if n < len(cuts[j]) && cuts[j][n] == rows[i][j] {
				n++
			}
			bin[k][j] = uint8(n)
		}
	}
	z := make([]float64, len(idx))
	for k, i := range idx {
		z[k] = base[i]
	}
	g, h := make([]float64, len(idx)), make([]float64, len(idx))
	node := make([]int, len(idx))
	const inner, leaves = 1<<boostDepth - 1, 1 << boostDepth
	var trees []tree
	for range boostRounds {
		for k, i := range idx {
			p := 1 / (1 + math.Exp(-z[k]))
			w := ws[i]
			g[k], h[k] = w*(p-b2f(right[i])), w*max(p*(1-p), 1e-12)
			node[k] = 0
		}
		t := tree{Feature: make([]int, inner), Threshold: make([]float64, inner), Value: make([]float64, leaves)}
		for d := range boostDepth {
			first := 1<<d - 1
			width := 1 << d
			// Histograms of g and h per node of this level, feature and bin.
			type cell struct{ g, h float64 }
			hist := make([][][boostQuantile + 1]cell, width)
			for n := range hist {
				hist[n] = make([][boostQuantile + 1]cell, nFeatures)
			}
			for k := range idx {
				n := node[k] - first
				for j := range nFeatures {
					c := &hist[n][j][bin[k][j]]
					c.g += g[k]
					c.h += h[k]
				}
			}
			for n := range width {
				var G, H float64
				for b := range boostQuantile + 1 {
					G += hist[n][0][b].g
					H += hist[n][0][b].h
				}
				best, bf, bt := 0.0, 0, noSplit
				for j := range nFeatures {
					var gl, hl float64
					for b := range len(cuts[j]) {
						gl += hist[n][j][b].g
						hl += hist[n][j][b].h
						gr, hr := G-gl, H-hl
						if hl < boostMinHess || hr < boostMinHess {
							continue
						}
						gain := gl*gl/(hl+boostLambda) + gr*gr/(hr+boostLambda) - G*G/(H+boostLambda)
						if gain > best+1e-12 {
							best, bf, bt = gain, j, cuts[j][b]
						}
					}
				}
				t.Feature[first+n], t.Threshold[first+n] = bf, bt
			}
			for k, i := range idx {
				n := node[k]
				if rows[i][t.Feature[n]] < t.Threshold[n] {
					node[k] = 2*n + 1
				} else {
					node[k] = 2*n + 2
				}
			}
		}
		G, H := make([]float64, leaves), make([]float64, leaves)
		for k := range idx {
			l := node[k] - inner
			G[l] += g[k]
			H[l] += h[k]
		}
		for l := range leaves {
			t.Value[l] = round6(-boostRate * G[l] / (H[l] + boostLambda))
		}
		for k, i := range idx {
			z[k] += t.at(rows[i])
		}
		trees = append(trees, t)
	}
	return trees
}
