package answer

import (
	"strconv"
	"strings"
	"testing"
)

func TestMemoIsBounded(t *testing.T) {
	var m memo[int]
	calls := 0
	f := func(k string) int { calls++; return len(k) }
	for i := range memoSize + 10 {
		m.get(strconv.Itoa(i), f)
	}
	if len(m.m) != memoSize {
		t.Errorf("memo holds %d words; want %d", len(m.m), memoSize)
	}
	long := strings.Repeat("x", memoKey+1)
	if got := m.get(long, f); got != len(long) {
		t.Errorf("get(long) = %d; want %d", got, len(long))
	}
	if _, ok := m.m[long]; ok {
		t.Errorf("memo kept a key of %d bytes", len(long))
	}
	calls = 0
	if m.get("7", f) != 1 || calls != 0 {
		t.Errorf("get(%q) called f again", "7")
	}
}
