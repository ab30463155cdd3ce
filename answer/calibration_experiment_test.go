package answer

import (
	"context"
	"io"
	"os"
	"testing"

	"github.com/corpusbot/corpusbot/seeds"
)

// TestCalibrationExperiment compares ways to fit and calibrate the
// confidence on the dev halves alone: each fold of dev articles is held
// out in turn, the model fitted on the others as Train fits it, and the
// held-out fold scored. It prints each way's ECE and AUROC over every
// held-out example. It runs when CORPUSBOT_CALIBRATION_EXPERIMENT is set.
func TestCalibrationExperiment(t *testing.T) {
	if os.Getenv("CORPUSBOT_CALIBRATION_EXPERIMENT") == "" {
		t.Skip("set CORPUSBOT_CALIBRATION_EXPERIMENT=1")
	}
	sets, err := DevSets(context.Background(), evalDir(t), seeds.FS())
	if err != nil {
		t.Fatal(err)
	}
	xs, _ := examples(sets)
	if os.Getenv("CORPUSBOT_CALIBRATION_WEIGHTS") != "" {
		calibrationWeights(t, xs)
		return
	}
	for _, v := range []struct {
		name   string
		calib  int
		bagged bool
	}{{"platt", calibratePlatt, false}, {"isotonic", calibrateIsotonic, false}, {"platt bagged", calibratePlatt, true}, {"isotonic bagged", calibrateIsotonic, true}} {
		var ps []float64
		var rs []bool
		for k := range calibrationFolds {
			fit, held := splitFold(xs, k)
			m, _ := fitModel(fit, v.calib, v.bagged, io.Discard)
			for i := range held {
				ps, rs = append(ps, m.predict(&held[i].f)), append(rs, held[i].right)
			}
		}
		t.Logf("%-16s held-out folds: ECE %.3f, AUROC %.3f over %d", v.name, ECE(ps, rs, 10), AUROC(ps, rs), len(ps))
	}
}

// calibrationWeights compares calibrations weighted as the model is (the
// seed questions 20 times) and unweighted, by the ECE of held-out folds
// over the pool TestFigures reports (squad2 and offcorpus, each question
// once) and over every example.
func calibrationWeights(t *testing.T, xs []example) {
	defer func(u bool) { unitCalibration = u }(unitCalibration)
	for _, unit := range []bool{false, true} {
		unitCalibration = unit
		var ps, pool []float64
		var rs, poolR []bool
		for k := range calibrationFolds {
			fit, held := splitFold(xs, k)
			m, _ := fitModel(fit, calibrateAuto, false, io.Discard)
			for i := range held {
				p := m.predict(&held[i].f)
				ps, rs = append(ps, p), append(rs, held[i].right)
				if held[i].set > 0 {
					pool, poolR = append(pool, p), append(poolR, held[i].right)
				}
			}
		}
		t.Logf("unit calibration %v: held-out ECE over the dev pool %.4f (%d), over all %.4f", unit, ECE(pool, poolR, 10), len(pool), ECE(ps, rs, 10))
	}
}

// splitFold splits xs into the examples outside fold k, to fit on, and
// those in it, held out.
func splitFold(xs []example, k int) (fit, held []example) {
	for _, x := range xs {
		if x.fold == k {
			held = append(held, x)
		} else {
			fit = append(fit, x)
		}
	}
	return fit, held
}
