#!/usr/bin/perl
# Builds an ASN database in MaxMind DB format from ip-location-db ASN CSV files
# (@ip-location-db/asn: asn-ipv4.csv, asn-ipv6.csv), whose rows are
#   ip_range_start,ip_range_end,autonomous_system_number,autonomous_system_organization
# with inclusive ranges and RFC 4180 quoting. The result uses the GeoLite2-ASN
# keys, autonomous_system_number (uint32) and autonomous_system_organization,
# so nftop and mmdblookup read it like MaxMind's file.
#
#   tools/asn-csv2mmdb.pl OUT.mmdb asn-ipv4.csv [asn-ipv6.csv ...]
#
# Needs MaxMind::DB::Writer (Debian: libmaxmind-db-writer-perl). The data is
# CC BY 4.0 (RouteViews, DB-IP, NRO): keep its attribution with the output.
use strict;
use warnings;

use Encode qw(decode);
use MaxMind::DB::Writer::Tree;

die "usage: $0 OUT.mmdb FILE.csv...\n" unless @ARGV >= 2;
my ($out, @in) = @ARGV;

my %types = (
	autonomous_system_number => 'uint32',
	autonomous_system_organization => 'utf8_string',
);
my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version => 6,
	record_size => 28,
	database_type => 'ip-location-db-ASN',
	languages => ['en'],
	description => { en => 'AS numbers and names from ip-location-db (RouteViews, DB-IP, NRO; CC BY 4.0)' },
	map_key_type_callback => sub { $types{ $_[0] } },
);

# One CSV line into fields; () when the quoting is broken.
sub fields {
	my ($s) = @_;
	my @f;
	pos($s) = 0;
	while (1) {
		if ($s =~ /\G"((?:[^"]|"")*)"/gc) {
			(my $v = $1) =~ s/""/"/g;
			push @f, $v;
		} else {
			$s =~ /\G([^,"]*)/gc;
			push @f, $1;
		}
		last unless $s =~ /\G,/gc;
	}
	return pos($s) == length($s) ? @f : ();
}

my ($rows, $bad) = (0, 0);
for my $file (@in) {
	open(my $fh, '<:raw', $file) or die "$file: $!\n";
	while (my $line = <$fh>) {
		$line =~ s/\r?\n\z//;
		next if $line eq '' || $line =~ /^ip_range_start,/;
		my ($first, $last, $asn, $org) = fields($line);
		if (!defined $asn || $asn !~ /^\d+\z/ || $asn == 0 || $asn > 4294967295) {
			$bad++;
			next;
		}
		my %rec = (autonomous_system_number => $asn + 0);
		$org = decode('UTF-8', $org // '');	# bad bytes become U+FFFD
		$rec{autonomous_system_organization} = $org if $org ne '';
		if (!eval { $tree->insert_range($first, $last, \%rec); 1 }) {
			$bad++;
			next;
		}
		$rows++;
	}
	close($fh);
}
die "$0: no usable rows in @in\n" unless $rows;

open(my $fh, '>:raw', "$out.tmp") or die "$out.tmp: $!\n";
$tree->write_tree($fh);
close($fh) or die "$out.tmp: $!\n";
rename("$out.tmp", $out) or die "$out: $!\n";
printf STDERR "%s: %d ranges%s\n", $out, $rows, $bad ? ", $bad rows skipped" : '';
