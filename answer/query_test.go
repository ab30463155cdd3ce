package answer

import (
	"reflect"
	"testing"
)

// TestParse checks what the query stage reads from a question's text: the
// later stages see only the Query.
func TestParse(t *testing.T) {
	sn := seedEngine(t).snap.Load()
	tests := []struct {
		q    string
		want Query // only the fields compared below
	}{
		{"what year did laos and vietnam sign the protocol?", Query{kind: kindWhen, asksYear: true}},
		{"when did they meet?", Query{kind: kindWhen}},
		{"how many soldiers' remains were found?", Query{kind: kindCount, counted: []string{"soldier", "remain"}, missing: []string{"found"}}},
		{"who is the defence minister now?", Query{kind: kindWho, recent: true}},
		{"how did chanyalath describe the exchange?", Query{speech: true, missing: []string{"describe"}}},
		{"did vietnam sign a deal with thailand?", Query{missing: []string{"thailand"}, missingPlace: true}},
		{"who did Khamliang meet in Hanoi?", Query{kind: kindWho, capitalises: true}},
	}
	for _, tt := range tests {
		qr := parse(sn, tt.q)
		got := Query{kind: qr.kind, asksYear: qr.asksYear, counted: qr.counted, recent: qr.recent,
			speech: qr.speech, missing: qr.missing, missingPlace: qr.missingPlace, capitalises: qr.capitalises}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parse(%q) = %+v; want %+v", tt.q, got, tt.want)
		}
	}
}
