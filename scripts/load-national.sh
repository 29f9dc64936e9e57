#!/bin/sh
# Loads the whole national register from ../shared/data (or $UPLIFT_DATA) into
# DATABASE_URL (default sqlite://uplift.db), register first, one transaction per file.
#   scripts/load-national.sh [DATABASE_URL]
# Uses $UPLIFT (the uplift binary) if set, else builds and runs the release binary.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
url=${1:-${DATABASE_URL:-sqlite://uplift.db}}
data=${UPLIFT_DATA:-$here/../shared/data}
if [ -z "${UPLIFT:-}" ]; then
    cargo build --release -q -p uplift --manifest-path "$here/Cargo.toml"
    UPLIFT="${CARGO_TARGET_DIR:-$here/target}/release/uplift"
fi
run() { "$UPLIFT" --database-url "$url" import "$1" "$data/$2"; }
start=$(date +%s)
run spc performance/spc_school_level_underlying_data_202223.csv
run gias gias/sample_edubasealldata_2018_4rows.csv
run gias gias/edubaseallstatefunded_2026_EXCERPT.csv
run gias-links gias/links_edubasealldata20250422.csv
run gias-links gias/links_edubasealldata_20250727.csv
run gias-groups gias/allgroupsdata_2022_processed.csv
run gias-group-links gias/alllinksdata_grouplinks_2022_processed.csv
run ofsted ofsted/ofsted_mi_latest_inspections_2026_report_card_EXCERPT.csv
run ks2 performance/england_ks2final_primary_relevant_columns.csv
run ks4 performance/england_ks4provisional.csv
run ks4 performance/england_ks4-pupdest.csv
run ks4 performance/ks4_school_info_202324.csv
run census performance/england_census.csv
run absence performance/england_abs.csv
echo "National register loaded into $url in $(( $(date +%s) - start )) s."
