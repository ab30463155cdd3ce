package answer

import (
	"slices"
	"strings"

	"github.com/corpusbot/corpusbot/corpus"
)

// places are countries and their people, folded and lower case. A question
// that names one the corpus never mentions is about somewhere else: "did
// Vietnam sign a defence deal with Thailand?" is refused, however well the
// rest of it matches, where a missing common word ("exactly", "so far")
// only weighs against an answer.
var places = strings.Fields(`
	afghanistan albania algeria argentina armenia australia austria azerbaijan bangladesh belarus
	belgium bhutan bolivia brazil brunei bulgaria burma cambodia canada chile china colombia croatia
	cuba cyprus czechia denmark ecuador egypt estonia ethiopia finland france georgia germany ghana
	greece hungary iceland india indonesia iran iraq ireland israel italy japan jordan kazakhstan
	kenya korea kuwait kyrgyzstan laos latvia lebanon libya lithuania malaysia maldives mexico
	mongolia morocco myanmar nepal netherlands nigeria norway pakistan peru philippines poland
	portugal qatar romania russia serbia singapore slovakia slovenia somalia spain sudan sweden
	switzerland syria taiwan tajikistan tanzania thailand timor turkey turkmenistan uganda ukraine
	uruguay uzbekistan venezuela vietnam yemen zambia zimbabwe
	american australian brazilian british burmese cambodian canadian chinese filipino french german
	indian indonesian japanese korean lao laotian malaysian russian singaporean thai vietnamese`)

// namesPlace reports whether one of the missing words is a place.
func namesPlace(missing []string) bool {
	for _, w := range missing {
		if slices.Contains(places, strings.ToLower(corpus.Fold(w))) {
			return true
		}
	}
	return false
}
