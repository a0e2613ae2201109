#!/bin/sh
# checksrc.sh - the mechanical half of STYLE.md, run by `make check`.
#
#   tests/lint/checksrc.sh [file...]
#
# With no arguments checks fcgi-app/src/*.[ch] and every tests/**/*.c.
# Flags banned calls (sprintf, vsprintf, strcpy, strcat, strtok, gets,
# atoi, atol, atoll, FCGX_FPrintF), tab indentation, lines over 80
# columns counted in characters (a CJK character in a string is one), and
# trailing whitespace.  Prints file:line: problem and exits 1 on any.
#
# A line may opt out of one rule with a trailing comment naming it, e.g.
# /* checksrc: allow long-line */ - use it for URLs, not to dodge wrapping.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)

if [ $# -eq 0 ]; then
    set -- $(cd "$root" && {
        ls fcgi-app/src/*.c fcgi-app/src/*.h 2>/dev/null
        find tests -name node_modules -prune -o -name '*.c' -print
    } | sort | sed "s|^|$root/|")
fi

exec perl -CSD -Mutf8 -e '
use strict;
use warnings;
my $root = shift @ARGV;
my @banned = qw(sprintf vsprintf strcpy strcat strtok gets atoi atol atoll
                FCGX_FPrintF);
my $ban_re = join "|", @banned;
my $bad = 0;
for my $file (@ARGV) {
    my $name = $file;
    $name =~ s/^\Q$root\E\///;
    open(my $fh, "<:encoding(UTF-8)", $file) or die "$name: $!\n";
    while (my $line = <$fh>) {
        chomp $line;
        my %allow = map { $_ => 1 } ($line =~ /checksrc: allow ([\w-]+)/g);
        my @why;
        while ($line =~ /(?<![\w.>])($ban_re)\s*\(/g) {
            push @why, "banned $1()" unless $allow{$1};
        }
        push @why, "tab indentation"
            if $line =~ /^[ ]*\t/ && !$allow{"tab"};
        push @why, "trailing whitespace"
            if $line =~ /[ \t\r]$/ && !$allow{"trailing-space"};
        my $cols = 0;
        $cols += $_ eq "\t" ? 8 - $cols % 8 : 1 for split //, $line;
        push @why, "line is $cols columns (max 80)"
            if $cols > 80 && !$allow{"long-line"};
        for (@why) {
            print "$name:$.: $_\n";
            $bad = 1;
        }
    }
    close $fh;
}
exit $bad;
' "$root" "$@"
