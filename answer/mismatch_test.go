package answer

import (
	"slices"
	"testing"
)

func TestNegates(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"Who did not attend the meeting?", true},
		{"Which team never won the cup?", true},
		{"What didn't the minister say?", true},
		{"What didn’t the minister say?", true},
		{"Who left without a word?", true},
		{"Who attended the meeting?", false},
		{"What did Nott say?", false}, // a name, not "not"
		{"Is there snow in November?", false},
		{"", false},
	} {
		if got := negates(tt.in); got != tt.want {
			t.Errorf("negates(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

// The features of how the first sentence misses the question, each on a
// question that shows it and one that does not.
func TestMismatchFeatures(t *testing.T) {
	e := mapEngine(t, map[string]string{
		"a.txt": "Harbour news\n\nThe largest ship of the fleet, the Aurora, docked in Bergen on Monday.\n\n" +
			"Its crew of forty stayed aboard for the night.\n\nThe smallest boat, the Wren, sailed to Tromso with Captain Olsen.\n\n" +
			"The harbour master praised the crews of both ships for their care in the storm.\n\n" +
			"Fishing boats stayed in port for the rest of the week.\n\nPrices of fish rose at the market.",
		"b.txt": "Farm report\n\nFarmers in the valley harvested apples in October.\n\nThe harvest was larger than last year's.",
	})
	feature := func(q, name string) float64 {
		t.Helper()
		_, f, scored := e.run(q, AskOptions{Top: 3}, false)
		if !scored {
			t.Fatalf("%q: refused by the rules; want it scored", q)
		}
		return f[slices.Index(featureNames[:], name)]
	}
	for _, tt := range []struct {
		name, yes, no string
	}{
		{"negated", "Which ship did not dock in Bergen?", "Which ship docked in Bergen?"},
		{"antonym", "Which boat was the largest and sailed to Tromso with Captain Olsen?", "Which boat was the smallest and sailed to Tromso with Captain Olsen?"},
		{"name_moved", "When did the Aurora dock in Tromso?", "When did the Aurora dock in Bergen?"},
		{"absent_words", "When did the Aurora dock in Bergen with apples?", "When did the Aurora dock in Bergen?"},
		{"rare_window", "When did the Aurora dock in Bergen with apples?", "When did the Aurora dock in Bergen?"},
	} {
		if y, n := feature(tt.yes, tt.name), feature(tt.no, tt.name); y <= 0 || n != 0 {
			t.Errorf("%s: %v for %q, %v for %q; want more than 0, then 0", tt.name, y, tt.yes, n, tt.no)
		}
	}
	if v := feature("Which crew praised the harbour master?", "second_cover"); v <= 0 || v > 1 {
		t.Errorf("second_cover = %v; want a share above 0", v)
	}
}
