package bot

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestAdapterConnectedGauge(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	var discord, telegram atomic.Bool
	m.WatchAdapter(Discord, discord.Load)
	m.WatchAdapter(Telegram, telegram.Load)
	check := func(d, tg int) {
		t.Helper()
		want := "# HELP corpusbot_adapter_connected 1 while the chat adapter is connected to its platform (Telegram answered getMe, Discord sent READY), else 0.\n" +
			"# TYPE corpusbot_adapter_connected gauge\n" +
			"corpusbot_adapter_connected{platform=\"discord\"} " + string(rune('0'+d)) + "\n" +
			"corpusbot_adapter_connected{platform=\"telegram\"} " + string(rune('0'+tg)) + "\n"
		if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "corpusbot_adapter_connected"); err != nil {
			t.Error(err)
		}
	}
	check(0, 0)
	telegram.Store(true)
	check(0, 1)
	discord.Store(true)
	check(1, 1)
	discord.Store(false) // the gateway is lost
	check(0, 1)
}
