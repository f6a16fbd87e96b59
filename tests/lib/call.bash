# SPDX-License-Identifier: BSD-2-Clause
# lib/call.bash: the three commands of a call on the one-stream SDP
# fixtures/hold.sdp, each a separate run: offer|answer|destroy CALL-ID
# [OPTIONS...] (from-tag f, to-tag t).

offer() {
	rtpp-offer --call-id "$1" --from-tag f "${@:2}" <"$FIX/hold.sdp"
}
answer() {
	rtpp-answer --call-id "$1" --from-tag f --to-tag t "${@:2}" <"$FIX/hold.sdp"
}
destroy() {
	rtpp-destroy --call-id "$1" --from-tag f --to-tag t "${@:2}" </dev/null
}
