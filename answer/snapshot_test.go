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

// TestReportsSpeechFindsEveryVerb checks the shortcuts of reportsSpeech and
// factsOf (the verbs' lengths and first and last letters) against the list
// of verbs.
func TestReportsSpeechFindsEveryVerb(t *testing.T) {
	for w := range reporting {
		for _, s := range []string{w, strings.ToUpper(w), "He " + w + ", “" + w + ".”", "He " + w + ".", "'" + strings.ToUpper(w[:1]) + w[1:] + ",' he"} {
			if !reportsSpeech(s) {
				t.Errorf("reportsSpeech(%q) = false; want true", s)
			}
			if factsOf(s)&factSpeech == 0 {
				t.Errorf("factsOf(%q) has no factSpeech", s)
			}
		}
	}
}

// TestNumberWordsAreFound checks isNumberWord's shortcuts (the words' first
// two letters) against numberWords.
func TestNumberWordsAreFound(t *testing.T) {
	for w := range numberWords {
		for _, s := range []string{w, strings.ToUpper(w), "He saw " + w + "."} {
			if factsOf(s)&factNumber == 0 {
				t.Errorf("factsOf(%q) has no factNumber", s)
			}
		}
	}
}
