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
	for _, v := range []struct {
		name   string
		calib  int
		bagged bool
	}{{"platt", calibratePlatt, false}, {"isotonic", calibrateIsotonic, false}, {"platt bagged", calibratePlatt, true}, {"isotonic bagged", calibrateIsotonic, true}} {
		var ps []float64
		var rs []bool
		for k := range calibrationFolds {
			var fit, held []example
			for _, x := range xs {
				if x.fold == k {
					held = append(held, x)
				} else {
					fit = append(fit, x)
				}
			}
			m := fitModel(fit, v.calib, v.bagged, io.Discard)
			for i := range held {
				ps, rs = append(ps, m.predict(&held[i].f)), append(rs, held[i].right)
			}
		}
		t.Logf("%-16s held-out folds: ECE %.3f, AUROC %.3f over %d", v.name, ECE(ps, rs, 10), AUROC(ps, rs), len(ps))
	}
}
