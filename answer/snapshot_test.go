package answer

import (
	"strings"
	"testing"
)

func TestFactsOf(t *testing.T) {
	tests := []struct {
		sentence string
		want     fact
	}{
		{"It rained.", factRefersBack},
		{"Rain fell.", 0},
		{"He met General Giang in Hanoi on May 6, 2022.", factDate | factNumber | factPlace | factName | factYear | factRefersBack},
		{"The two sides signed three deals.", factNumber | factRefersBack},
		{"The exchange, she said, was useful.", factSpeech},
		{"Talks were held on Thursday.", factDate | factName},
		{"Talks were held on September 8.", factDate | factNumber | factName | factDayOnly},
		{"Talks were held on September 8, 2020.", factDate | factNumber | factName | factYear},
		{"COVID-19 cases fell.", 0},
	}
	for _, tt := range tests {
		if got := factsOf(tt.sentence); got != tt.want {
			t.Errorf("factsOf(%q) = %08b; want %08b", tt.sentence, got, tt.want)
		}
	}
}

// TestReportsSpeechFindsEveryVerb checks reportsSpeech's shortcuts (the
// verbs' lengths and first letters) against the list of verbs.
func TestReportsSpeechFindsEveryVerb(t *testing.T) {
	for w := range reporting {
		for _, s := range []string{w, strings.ToUpper(w), "He " + w + ", “" + w + ".”"} {
			if !reportsSpeech(s) {
				t.Errorf("reportsSpeech(%q) = false; want true", s)
			}
		}
	}
}
