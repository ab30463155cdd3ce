// Package answer matches questions to the corpus sentences that support an
// answer, and cites them.
//
// An Engine answers from one immutable corpus.Index snapshot at a time; Swap
// replaces the snapshot atomically, so a reload never disturbs a question
// being answered. Prepare and Prepared.Serve do the same in two steps, so
// that a reload can build the snapshot while it loads and drop it if it is
// given up; Serve says what changed, and Sources and Size tell the bot what
// is served (reload.go), which is how the bot reads the corpus. New works out, once per snapshot, what the stages need of
// the index: the packed postings the retriever walks (snapshot.go), with
// the weights baked into them, and each sentence's facts (it holds a date,
// a year, a number, a place, a name; it refers back; it reports speech).
//
// Engine.Ask answers in six stages, one file each, in this order:
//
//   - query (query.go): parse reads the question's text, once, into a
//     Query: its terms and their weights (and, at Weights.Derived, the
//     corpus's terms of the same root, derive.go), the words the corpus
//     lacks, what it asks for (a date, a person, a place, a number),
//     whether it asks the year, the current state or what someone said,
//     whether it negates, what a "how many" counts, how it types names. No
//     later stage reads the question's text.
//   - retrieve (retrieve.go): a Retriever walks the postings of the
//     question's terms and scores each sentence that holds one by the
//     first-stage signals, bounding each article's best so that articles
//     that cannot compete are skipped; it hands on the rerankDepth best.
//   - signals (signals.go): one table, signals, of every named Signal a
//     score is made of, each with its weight, its value for a candidate
//     (Score) and the most that can be (Max, the pruning bound). The stage
//     works out the rows the retriever did not for its best candidates,
//     best first, and stops when no later one can reach the best. Each
//     Candidate carries its value for every row (Parts), so a score can be
//     explained.
//   - rerank (rerank.go): a Reranker reorders the candidates. rules, the
//     first implementation, moves to the front the sentence that gives the
//     count a "how many" asks for, the one that says what a lead sentence
//     only sets the scene for, and the one that names the year of an
//     undated article whose best sentence gives a day and month only.
//   - decide (decide.go): answer, or refuse with a Refusal (its kind and
//     the words the corpus lacks), on the first candidate, judging the
//     match its place rests on. What its rules let through gets a
//     confidence (confidence.go: a calibrated model over features of the
//     first three candidates, trained by train.go and boost.go, embedded
//     from confidence.json), and a probability that the articles answer
//     it at all (the model's answerable model, from the same features):
//     below Thresholds.Hedge of that the question is refused
//     (RefusedUnsure), below Thresholds.Confident of the confidence the
//     answer is hedged.
//   - compose (compose.go): the answer text, cut to the clause that answers
//     and with relative dates resolved, and the citations.
//
// A question asked with a Context (AskOptions.Context: the question that
// set the topic, the previous answer's article) is read as a follow-up
// unless it stands on its own (followup.go): the query stage adds the
// topic's terms it lacks at Weights.Carry, the "previous" signal prefers
// the previous article, and decide refuses a follow-up with no word of its
// own without saying the corpus lacks the topic.
//
// kind.go and counts.go hold the matchers of the text of sentences that
// the stages share; memo.go and synonyms.go, what the query stage uses.
package answer
