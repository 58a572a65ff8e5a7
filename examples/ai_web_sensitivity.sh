#!/usr/bin/env bash
# ai_web_sensitivity.sh — regenerates the sensitivity tables of docs/ai-compute-web.md §5.
#
#   bash examples/ai_web_sensitivity.sh            all findings (markdown tables on stdout)
#   bash examples/ai_web_sensitivity.sh 5.4 5.13   some of them
#   . examples/ai_web_sensitivity.sh lib           only define the helpers (run, m, row, bisect, …)
#
# Every run is `deal run PROG --scenario S --set NAME=VALUE --format json --analyses none`,
# one at a time; results are cached in $W by (scenario, --set), so a run shared by two
# tables is done once; the cache is per version of the program (its hash names it). Thresholds are bisected to
# two significant digits. Run from the repository root after `make build` (~5 minutes).
DEAL=${DEAL:-build/bin/deal}
PROG=${PROG:-examples/ai_compute_web.deal}
W=${W:-${TMPDIR:-/tmp}/deal-ai-web-sensitivity/$(cat "$PROG" "$DEAL" 2>/dev/null | sha1sum | cut -c1-12)}
mkdir -p "$W"
[ -x "$DEAL" ] || { echo "ai_web_sensitivity.sh: $DEAL not found (make build first)" >&2; exit 2; }

# ---- metric.py: one figure out of one or two result files
cat > "$W/metric.py" <<'PY'
import json, sys
def load(p): return json.load(open(p))
def q(date):
    y, m = int(date[:4]), int(date[5:7]); return f"{y}Q{(m - 1) // 3 + 1}"
def idx(d, qd): return [q(x) for x in d["dates"]].index(qd)
def b(x): return f"${x / 1e9:.3g}B"
k, a = sys.argv[1], sys.argv[2:]
if k == "default":            # PARTY F -> 2028Q2 | no
    p = load(a[1])["parties"][a[0]]; print(q(p["default_date"]) if p["defaulted"] else "no")
elif k == "recovery":         # PARTY F -> "32% of $366B"
    d = [x for x in load(a[1])["defaults"] if x["party"] == a[0]]
    print(f"{100 * d[0]['recovery_rate']:.0f}% of {b(d[0]['claims'])}" if d else "-")
elif k == "defaults":         # KIND F -> "CoreWeave 2027Q2, IREN 2027Q2" | none
    d = load(a[1])
    print(", ".join(f"{x['party']} {q(x['date'])}" for x in d["defaults"]
                    if d["parties"][x["party"]]["kind"] == a[0]) or "none")
elif k == "defaulted":        # PARTY F -> yes | no
    print("yes" if load(a[1])["parties"][a[0]]["defaulted"] else "no")
elif k == "cash":             # PARTY F -> final cash
    print(b(load(a[1])["parties"][a[0]]["final"]["cash"]))
elif k == "dcash":            # PARTY FA FB -> final cash A − B
    A, B = load(a[1]), load(a[2])
    v = A["parties"][a[0]]["final"]["cash"] - B["parties"][a[0]]["final"]["cash"]
    print(("+" if v >= 0 else "−") + b(abs(v)))
elif k == "dnet":             # PARTY RAISED_SERIES FA FB -> (cash − raised) in A − in B, 2030Q4
    A, B = load(a[2]), load(a[3])
    na = A["parties"][a[0]]["final"]["cash"] - A["series"][a[1]][-1]
    nb = B["parties"][a[0]]["final"]["cash"] - B["series"][a[1]][-1]
    print(("+" if na - nb >= 0 else "−") + b(abs(na - nb)))
elif k == "series":           # NAME DATE F
    d = load(a[2]); v = d["series"][a[0]][idx(d, a[1])]
    print(f"{v:.3g}" if abs(v) < 1e6 else b(v))
elif k == "dseries":          # NAME DATE FA FB -> A − B
    A, B = load(a[2]), load(a[3])
    v = A["series"][a[0]][idx(A, a[1])] - B["series"][a[0]][idx(B, a[1])]
    print(("+" if v >= 0 else "−") + (b(abs(v)) if abs(v) >= 1e6 else f"{abs(v):.3g}"))
elif k == "dsumq":            # NAME FA FB -> sum of quarterly run-rates × ¼, B − A
    A, B = load(a[1]), load(a[2])
    print(b((sum(B["series"][a[0]]) - sum(A["series"][a[0]])) / 4))
else:
    sys.exit(f"metric.py: unknown metric {k}")
PY

# run SCENARIO [--set NAME=VALUE ...]  -> path of the cached JSON result
run() {
  local key out
  key=$(printf '%s\n' "$@" | md5sum | cut -c1-12)
  out=$W/$1.$key.json
  if [ ! -s "$out" ]; then
    "$DEAL" run "$PROG" --scenario "$@" --format json --analyses none > "$out.tmp" 2> "$out.err" \
      || { echo "run failed: $* ($(head -c 300 "$out.err"))" >&2; }
    mv "$out.tmp" "$out"
  fi
  echo "$out"
}
m() { python3 "$W/metric.py" "$@"; }
num() { awk -v x="$1" 'BEGIN { if (x == 0) x = 0; printf "%.4g", x }'; }             # 4 significant digits
sf2() { awk -v x="$1" 'BEGIN { printf "%.2g", x }'; }             # 2 significant digits
val() { local n; n=$(num "$2"); echo "${1//X/$n}"; }             # unit template × number: '$XB' 10 -> $10B

# row NAME UNIT BASE SHOWFN FLAGFN "FACTORS"
#   one markdown row: the param at BASE × each factor, SHOWFN's finding at each, and, for
#   every adjacent pair of values where FLAGFN (the yes/no part of the finding) differs,
#   the threshold bisected to 2 significant digits. FLAGFN "-" for a numeric finding.
row() {
  local name=$1 unit=$2 base=$3 show=$4 flag=$5 facs=$6 f v vals="" finds="" thr="" prev="" prevx="" x fl
  for f in $facs; do
    x=$(awk -v b="$base" -v f="$f" 'BEGIN { printf "%.6g", b * f }')
    v=$(val "$unit" "$x")
    vals+="${vals:+<br>}$v"
    finds+="${finds:+<br>}$($show "$name=$v")"
    if [ "$flag" != - ]; then
      fl=$($flag "$name=$v")
      if [ -n "$prev" ] && [ "$fl" != "$prev" ]; then
        thr+="${thr:+<br>}$(bisect "$name" "$unit" "$prevx" "$x" "$flag")"
      fi
      prev=$fl; prevx=$x
    fi
  done
  if [ "$flag" != - ] && [ -z "$thr" ]; then
    thr="none in [$(val "$unit" "$(awk -v b="$base" -v f="${facs%% *}" 'BEGIN{printf "%.6g", b*f}')"), $(val "$unit" "$x")] ($fl throughout)"
  fi
  [ "$flag" = - ] && thr="(numeric)"
  echo "| \`$name\` | $vals | $finds | $thr |"
}
# bisect NAME UNIT LO HI FLAGFN -> "≈ V (A below, B above)"
bisect() {
  local name=$1 unit=$2 lo=$3 hi=$4 flag=$5 flo fhi mid fm i
  flo=$($flag "$name=$(val "$unit" "$lo")"); fhi=$($flag "$name=$(val "$unit" "$hi")")
  for i in $(seq 1 16); do
    [ "$(sf2 "$lo")" = "$(sf2 "$hi")" ] && break
    mid=$(awk -v a="$lo" -v b="$hi" 'BEGIN { printf "%.8g", (a + b) / 2 }')
    fm=$($flag "$name=$(val "$unit" "$mid")")
    if [ "$fm" = "$flo" ]; then lo=$mid; else hi=$mid; fi
  done
  echo "$(val "$unit" "$(sf2 "$hi")") ($flo at $(val "$unit" "$(num "$lo")"), $fhi at $(val "$unit" "$(num "$hi")"))"
}
header() { echo; echo "| assumption | values tried | $1 | threshold where it flips |"; echo "|---|---|---|---|"; }
PCT="0.5 0.8 1 1.2 1.5"          # −50%, −20%, base, +20%, +50%

# ---- 5.1 openai_cannot_pay
s51()  { local a; a=$(run openai_cannot_pay --set "$1"); echo "SoftBank $(m default SoftBank "$a"); OpenAI's estate pays $(m recovery OpenAI "$a")"; }
f51()  { local a; a=$(run openai_cannot_pay --set "$1"); [ "$(m default SoftBank "$a")" = no ] && echo "SoftBank survives" || echo "SoftBank defaults"; }
t51() {
  echo "### 5.1 openai_cannot_pay (base: $(s51 resale_claim_share=50%))"
  header "SoftBank's default; OpenAI's estate recovery"
  row softbank_cash0 '$XB' 10 s51 f51 "0.5 0.8 1 1.5 2 2.5"
  row softbank_ltv 'X%' 25 s51 f51 "0.5 0.8 1 1.2 1.5 2"
  row softbank_other_assets '$XB' 150 s51 f51 "0.5 0.8 1 1.2 1.5 2"
  row resale_claim_share 'X%' 50 s51 - "$PCT 2"
  row openai_cash0 '$XB' 40 s51 - "$PCT"
  row liquidation_haircut 'X%' 50 s51 - "$PCT"
}

# ---- 5.1b openai_revenue_falls
s51b() { local a; a=$(run openai_revenue_falls --set "$1"); echo "OpenAI $(m default OpenAI "$a"), estate pays $(m recovery OpenAI "$a")"; }
f51b() { local a; a=$(run openai_revenue_falls --set "$1"); echo "OpenAI defaults: $(m defaulted OpenAI "$a")"; }
t51b() {
  echo "### 5.1b openai_revenue_falls (base: $(s51b openai_collapse=-50%/y))"
  header "OpenAI's default date; recovery"
  row azure_term 'Xy' 6 s51b - "$PCT"
  row openai_cash0 '$XB' 40 s51b - "$PCT"
  row resale_share 'X%' 30 s51b - "$PCT"
  row resale_claim_share 'X%' 50 s51b - "$PCT"
  row liquidation_haircut 'X%' 50 s51b - "$PCT"
  row openai_collapse 'X%/y' -50 s51b f51b "1.5 1 0.5 0 -0.2 -0.4 -0.6 -0.8"
}

# ---- 5.2 compute_glut
s52()  { local a; a=$(run compute_glut --set "$1"); m defaults neocloud "$a"; }
f52()  { local a; a=$(run compute_glut --set "$1"); echo "CoreWeave defaults: $(m defaulted CoreWeave "$a")"; }
t52() {
  echo "### 5.2 compute_glut (base: $(s52 build_cost=\$45B/GW))"
  header "neoclouds that default (date)"
  row build_cost '$XB/GW' 45 s52 f52 "$PCT"
  row cloud_price '$XB/y/GW' 12 s52 f52 "$PCT"
  row spot_demand0 'XGW' 3 s52 f52 "$PCT"
}

# ---- 5.4 anthropic_moves_to_google vs anthropic_stays_on_aws: Amazon's equity, 2030Q4
s54()  { local a b; a=$(run anthropic_moves_to_google --set "$1"); b=$(run anthropic_stays_on_aws --set "$1")
         echo "$(m dseries 'equity(Amazon)' 2030Q4 "$a" "$b")"; }
f54()  { case $(s54 "$1") in +*) echo "moving raises Amazon's equity";; *) echo "moving lowers it";; esac; }
t54() {
  echo "### 5.4 Amazon's equity in 2030Q4, anthropic_moves_to_google − anthropic_stays_on_aws (base: $(s54 cloud_price=\$12B/y/GW))"
  header "Δ equity(Amazon), 2030Q4"
  row cloud_price '$XB/y/GW' 12 s54 f54 "$PCT"
  row anthropic_aws_gw 'XGW' 1 s54 f54 "$PCT"
  row build_lead 'Xy' 1 s54 f54 "$PCT"
  row spot_demand_growth 'X%/y' 30 s54 f54 "0 $PCT"
}

# ---- 5.5 late_buyer_quality_tax vs anthropic_base
s55()  { local a b; a=$(run late_buyer_quality_tax --set "$1"); b=$(run anthropic_base --set "$1")
         echo "revenue lost $(m dsumq Anthropic.revenue "$a" "$b"); cash 2030Q4 $(m cash Anthropic "$a") vs $(m cash Anthropic "$b")$( [ "$(m default Anthropic "$a")" = no ] || echo "; late buyer defaults $(m default Anthropic "$a")")"; }
f55()  { local a b; a=$(run late_buyer_quality_tax --set "$1"); b=$(run anthropic_base --set "$1")
         case $(m dcash Anthropic "$a" "$b") in −*) echo "late buyer ends with less cash";; *) echo "late buyer ends with more cash";; esac; }
t55() {
  echo "### 5.5 late_buyer_quality_tax vs anthropic_base (base: $(s55 late_price_markup=40%))"
  header "Anthropic's revenue lost 2026–2030; final cash late vs base"
  row anthropic_growth0 'X%/y' 160 s55 f55 "$PCT"
  row anthropic_decay 'X%/y' 50 s55 f55 "$PCT"
  row revenue_per_gw0 '$XB/y/GW' 13 s55 f55 "$PCT"
  row late_price_markup 'X%' 40 s55 f55 "$PCT"
  row anthropic_google_total '$XB' 200 s55 f55 "$PCT"
  row raise_cap 'X%' 4 s55 f55 "$PCT"
  echo
  echo "Net of fundraising: (cash − raised) in 2030Q4, late − base"
  header "Δ (Anthropic cash − Anthropic.raised), late − base"
  for r in "anthropic_growth0 X%/y 160" "anthropic_decay X%/y 50" "revenue_per_gw0 \$XB/y/GW 13" "late_price_markup X% 40" \
           "anthropic_google_total \$XB 200" "raise_cap X% 4"; do
    set -- $r; row "$1" "$2" "$3" s55n f55n "$PCT"
  done
}
s55n() { local a b; a=$(run late_buyer_quality_tax --set "$1"); b=$(run anthropic_base --set "$1"); m dnet Anthropic Anthropic.raised "$a" "$b"; }
f55n() { case $(s55n "$1") in −*) echo "late buyer worse off net";; *) echo "late buyer better off net";; esac; }

# ---- 5.6 one_year_overinvestment
s56()  { local a; a=$(run one_year_overinvestment --set "$1"); echo "Anthropic $(m default Anthropic "$a")$( [ "$(m default Anthropic "$a")" = no ] || echo ", estate pays $(m recovery Anthropic "$a")")"; }
f56()  { local a; a=$(run one_year_overinvestment --set "$1"); echo "defaults: $(m defaulted Anthropic "$a")"; }
t56() {
  echo "### 5.6 one_year_overinvestment (base: $(s56 overbuy_gw=5GW))"
  header "Anthropic's default date"
  row anthropic_growth0 'X%/y' 160 s56 f56 "$PCT"
  row anthropic_decay 'X%/y' 50 s56 f56 "$PCT"
  row investor_hurdle 'X%/y' 20 s56 f56 "$PCT"
  row overbuy_gw 'XGW' 5 s56 f56 "0 0.2 0.5 0.8 1 1.2 1.5"
}

# ---- 5.9 too_interconnected_to_fail
s59()  { local a; a=$(run too_interconnected_to_fail --set "$1"); echo "OpenAI $(m default OpenAI "$a"), SoftBank $(m default SoftBank "$a")"; }
f59()  { local a; a=$(run too_interconnected_to_fail --set "$1"); echo "OpenAI defaults: $(m defaulted OpenAI "$a")"; }
t59() {
  echo "### 5.9 too_interconnected_to_fail (base: $(s59 rescue_cap=\$300B))"
  header "does OpenAI still default (date)"
  row openai_collapse 'X%/y' -50 s59 f59 "$PCT"
  row resale_share 'X%' 30 s59 f59 "$PCT"
  row lab_multiple 'X' 30 s59 f59 "$PCT"
  row rescue_cap '$XB' 300 s59 f59 "$PCT 2"
}

# ---- 5.10 overflow_take_or_pay: idle GW in 2030Q4
s510() { local a; a=$(run overflow_take_or_pay --set "$1"); echo "Microsoft $(m series Microsoft.idle 2030Q4 "$a") GW vs CoreWeave $(m series CoreWeave.idle 2030Q4 "$a") GW (OpenAI defaults: $(m default OpenAI "$a"))"; }
f510() { local a; a=$(run overflow_take_or_pay --set "$1"); awk -v x="$(m series Microsoft.idle 2030Q4 "$a")" -v y="$(m series CoreWeave.idle 2030Q4 "$a")" 'BEGIN { print (x > 2 * y) ? "Microsoft idle > 2× CoreWeave" : "not" }'; }
f510b() { local a; a=$(run overflow_take_or_pay --set "$1"); echo "OpenAI defaults: $(m defaulted OpenAI "$a")"; }
t510() {
  echo "### 5.10 overflow_take_or_pay, idle GW in 2030Q4 (base: $(s510 azure_term=6y))"
  header "Microsoft.idle vs CoreWeave.idle, 2030Q4"
  row azure_term 'Xy' 6 s510 f510 "$PCT"
  row cloud_price '$XB/y/GW' 12 s510 f510 "$PCT"
  row openai_growth0 'X%/y' 80 s510 f510 "$PCT"
  row openai_growth0 'X%/y' 80 s510 f510b "$PCT"
}

# ---- 5.13 glut_for_openai vs base: OpenAI's final cash
s513() { local a b; a=$(run glut_for_openai --set "$1"); b=$(run base --set "$1")
         echo "$(m cash OpenAI "$a") vs $(m cash OpenAI "$b") (Δ $(m dcash OpenAI "$a" "$b"))$( [ "$(m default OpenAI "$a")" = no ] || echo "; OpenAI defaults $(m default OpenAI "$a") (glut), $(m default OpenAI "$b") (base)")"; }
f513() { local a b; a=$(run glut_for_openai --set "$1"); b=$(run base --set "$1")
         case $(m dcash OpenAI "$a" "$b") in −*) echo "glut: less cash";; *) echo "glut: more cash";; esac; }
t513() {
  echo "### 5.13 glut_for_openai vs base, OpenAI's cash in 2030Q4 (base: $(s513 openai_cash0=\$40B))"
  header "OpenAI cash 2030Q4, glut vs base"
  row openai_decay 'X%/y' 25 s513 f513 "$PCT"
  row openai_cash0 '$XB' 40 s513 f513 "$PCT"
  row openai_growth0 'X%/y' 80 s513 f513 "$PCT"
  row raise_cap 'X%' 4 s513 f513 "$PCT"
  row resale_share 'X%' 30 s513 f513 "$PCT"
  echo
  echo "Net of fundraising: (cash − raised) in 2030Q4, glut − base"
  header "Δ (OpenAI cash − OpenAI.raised), glut − base"
  for r in "openai_decay X%/y 25" "openai_cash0 \$XB 40" "openai_growth0 X%/y 80" "raise_cap X% 4" "resale_share X% 30"; do
    set -- $r; row "$1" "$2" "$3" s513n f513n "$PCT"
  done
}
s513n() { local a b; a=$(run glut_for_openai --set "$1"); b=$(run base --set "$1"); m dnet OpenAI OpenAI.raised "$a" "$b"; }
f513n() { case $(s513n "$1") in −*) echo "glut: worse off net";; *) echo "glut: better off net";; esac; }

[ "${1:-}" = lib ] && return 0 2>/dev/null
for t in "${@:-5.1 5.1b 5.2 5.4 5.5 5.6 5.9 5.10 5.13}"; do
  for u in $t; do "t${u//./}"; echo; done
done
