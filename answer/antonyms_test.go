package answer

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// wordNetFS is a few lines of WordNet 3.0's database files, as Debian's
// wordnet-base has them.
func wordNetFS(adj string) fstest.MapFS {
	return fstest.MapFS{
		"data.adj": {Data: []byte("  1 This software and database is being provided to you, the LICENSEE, by\n" + adj)},
		"data.adv": {Data: []byte("00514296 02 r 01 before 0 001 ! 00122626 r 0101 | earlier in time\n" +
			"00122626 02 r 01 after 0 001 ! 00514296 r 0101 | happening at a time subsequent to a reference time\n")},
		"data.noun": {Data: []byte("10782940 18 n 02 winner 0 victor 0 001 ! 10274318 n 0101 | the contestant who wins\n" +
			"10274318 18 n 01 loser 0 001 ! 10782940 n 0101 | a contestant who loses\n")},
		"data.verb": {Data: []byte("00156601 30 v 01 increase 0 001 ! 00151497 v 0101 | become bigger or greater\n" +
			"00151497 30 v 01 decrease 0 001 ! 00156601 v 0101 | decrease in size\n")},
		"adj.exc": {Data: []byte("bigger big\nbiggest big\nlarger large\n")},
	}
}

const wordNetAdj = "01382086 00 a 01 large 0 001 ! 01391351 a 0101 | above average in size\n" +
	"01391351 00 a 02 small 0 little 0 001 ! 01382086 a 0101 | limited in size\n" +
	"01204802 00 a 01 big 0 001 ! 01207000 a 0101 | large\n" +
	"01207000 00 a 01 wee(a) 0 001 ! 01204802 a 0101 | very small\n" +
	"00002312 00 a 02 abaxial 0 dorsal 4 002 ;c 06037666 n 0000 ! 00002527 a 0101 | facing away\n" +
	"00002527 00 a 02 adaxial 0 ventral 4 002 ;c 06037666 n 0000 ! 00002312 a 0101 | nearest to\n" +
	"00001000 00 a 01 far_off 0 001 ! 00001100 a 0101 | two words\n" +
	"00001100 00 a 01 near 0 001 ! 00001000 a 0101 | one word\n"

func TestWordNetAntonyms(t *testing.T) {
	b, err := WordNetAntonyms(wordNetFS(wordNetAdj))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("# WordNet 3.0 Copyright 2006 by Princeton University.")) {
		t.Errorf("the file lacks WordNet's notice:\n%s", b)
	}
	m := parseAntonyms(b)
	for _, tt := range [][2]string{
		{"larg", "small"}, {"larger", "smaller"}, {"largest", "smallest"}, // by rule
		{"big", "wee"}, {"bigger", "weer"}, {"biggest", "weest"}, // adj.exc
		{"winner", "loser"}, {"increas", "decreas"},
		{"abaxi", "adaxi"}, // a long adjective, not compared
	} {
		for _, p := range [][2]string{tt, {tt[1], tt[0]}} {
			if !slices.Contains(m[p[0]], p[1]) {
				t.Errorf("antonyms of %q = %q; want %q among them", p[0], m[p[0]], p[1])
			}
		}
	}
	for _, w := range []string{"abaxialest", "near", "far_off", "littl", "befor", "after"} { // before and after are stop words
		if m[w] != nil {
			t.Errorf("antonyms of %q = %q; want none", w, m[w])
		}
	}
	again, err := WordNetAntonyms(wordNetFS(wordNetAdj))
	if err != nil || !bytes.Equal(again, b) {
		t.Errorf("a second run gives another file (%v)", err)
	}
}

func TestWordNetAntonymsRejectsBadFiles(t *testing.T) {
	for name, adj := range map[string]string{
		"no words":       "01382086 00 a\n",
		"bad word count": "01382086 00 a zz large 0 001 | x\n",
		"bad pointers":   "01382086 00 a 01 large 0 009 ! 01391351 a 0101 | x\n",
	} {
		if _, err := WordNetAntonyms(wordNetFS(adj)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	fsys := wordNetFS(wordNetAdj)
	delete(fsys, "data.verb")
	if _, err := WordNetAntonyms(fsys); err == nil || !strings.Contains(err.Error(), "data.verb") {
		t.Errorf("without data.verb: %v; want an error that names it", err)
	}
}

// The embedded file: WordNet's notice and the pairs the confidence reads.
func TestEmbeddedAntonyms(t *testing.T) {
	if !bytes.Contains(antonymsTxt, []byte("Princeton University")) {
		t.Error("antonyms.txt lacks WordNet's notice")
	}
	for _, p := range [][2]string{{"larg", "small"}, {"largest", "smallest"}, {"increas", "decreas"}, {"win", "lose"}} {
		if !slices.Contains(antonyms[p[0]], p[1]) {
			t.Errorf("antonyms of %q = %q; want %q among them", p[0], antonyms[p[0]], p[1])
		}
	}
}

func FuzzWordNetAntonyms(f *testing.F) {
	f.Add(wordNetAdj)
	f.Add("00000001 00 a 01 x 0 001 ! 00000001 a ffff | x\n")
	f.Add("00000001 00 a -1 x 0 -01 ! | x\n")
	f.Fuzz(func(t *testing.T, adj string) {
		b, err := WordNetAntonyms(wordNetFS(adj))
		if err != nil {
			return
		}
		for line := range strings.Lines(string(b)) {
			if !strings.HasPrefix(line, "#") && len(strings.Fields(line)) != 2 {
				t.Fatalf("a line of %d words: %q", len(strings.Fields(line)), line)
			}
		}
	})
}
