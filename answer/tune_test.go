package answer

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestTune sweeps ranking weights on the tuning data only (seeds-dev and
// SQuAD articles 001–024). It runs when CORPUSBOT_TUNE holds sweeps such as
// "Local=0.3,0.5,0.7;Article=0.2,0.4"; each value is tried on its own from
// DefaultWeights.
func TestTune(t *testing.T) {
	spec := os.Getenv("CORPUSBOT_TUNE")
	if spec == "" {
		t.Skip("set CORPUSBOT_TUNE to sweep weights")
	}
	dir := evalDir(t)
	squadIx := loadEngine(t, filepath.Join(dir, "squad", "corpus")).Index()
	seedsIx := loadEngine(t, "").Index()
	sq := readQuestions(t, filepath.Join(dir, "squad", "questions.jsonl"))
	sd := readQuestions(t, filepath.Join(dir, "seeds-dev.jsonl"))
	try := func(name string, w Weights) {
		// New engines: the snapshot bakes some weights into its
		// postings, so swapping them in an engine would mix old and new.
		squad, seedsE := New(squadIx, Options{Weights: &w}), New(seedsIx, Options{Weights: &w})
		t.Logf("%-20s dev %v", name, evaluate(t, squad, sq, docRange(1, 24)...))
		t.Logf("%-20s seeds %v", name, evaluate(t, seedsE, sd))
	}
	try("default", DefaultWeights)
	for _, sweep := range strings.Split(spec, ";") {
		field, vals, _ := strings.Cut(sweep, "=")
		for _, v := range strings.Split(vals, ",") {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			w := DefaultWeights
			for _, fl := range strings.Split(field, "+") {
				reflect.ValueOf(&w).Elem().FieldByName(fl).SetFloat(f)
			}
			try(field+"="+v, w)
		}
	}
}
