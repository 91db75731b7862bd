#!/usr/bin/perl
# doc-links.pl [--check] FILE.md...: keep the documents' links to lines of code right.
#
# A link whose text names a symbol, [`name`](path#L123) or [name](path#L123), points at the
# line that defines name in path: a line starting in column 0 that contains `name(` and does
# not end in `;` (a C function definition), else a #define of it, else the first line that
# mentions it.  Without --check the line numbers are rewritten in place; with --check the
# script lists stale links and exits 1 (make check runs it on README.md).
use strict;
use warnings;

my $check = @ARGV && $ARGV[0] eq '--check' ? shift @ARGV : 0;
my $bad = 0;
my %cache;

sub lines_of {
    my ($path) = @_;
    return $cache{$path} //= do {
        open(my $fh, '<', $path) or die "doc-links: $path: $!\n";
        [<$fh>];
    };
}

sub line_of {
    my ($path, $sym) = @_;
    my $lines = lines_of($path);
    my ($def, $macro, $any);
    for my $i (0 .. $#$lines) {
        my $l = $lines->[$i];
        next unless $l =~ /\b\Q$sym\E\b/;
        $any //= $i + 1;
        $macro //= $i + 1 if $l =~ /^#\s*define\s+\Q$sym\E\b/;
        if (!defined $def && $l =~ /^[A-Za-z_].*\b\Q$sym\E\s*\(/ && $l !~ /;\s*$/) {
            $def = $i + 1;
        }
    }
    return $def // $macro // $any;
}

for my $doc (@ARGV) {
    open(my $fh, '<', $doc) or die "doc-links: $doc: $!\n";
    my $text = do { local $/; <$fh> };
    close $fh;
    (my $dir = $doc) =~ s{[^/]*$}{};
    $text =~ s{\[(`?)([A-Za-z_]\w*)\1\]\(([^)#\s]+)#L(\d+)\)}{
        my ($q, $sym, $path, $old) = ($1, $2, $3, $4);
        my $line = -e "$dir$path" ? line_of("$dir$path", $sym) : undef;
        if (!defined $line) {
            print STDERR "doc-links: $doc: $sym not found in $path\n";
            $bad = 1;
            $line = $old;
        } elsif ($line != $old) {
            print STDERR "doc-links: $doc: $sym is at $path#L$line, not #L$old\n" if $check;
            $bad = 1 if $check;
        }
        "[$q$sym$q]($path#L$line)";
    }ge;
    if (!$check) {
        open(my $out, '>', $doc) or die "doc-links: $doc: $!\n";
        print $out $text;
    }
}
print STDERR "doc-links: the code moved: run `scripts/doc-links.pl @ARGV` to follow it\n"
    if $check && $bad;
exit $bad;
