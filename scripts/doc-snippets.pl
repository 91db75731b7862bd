#!/usr/bin/perl
# doc-snippets.pl FILE.md...: the code a document shows is code that builds.
#
# Every ```c, ```cpp and ```diff block of the documents must follow a marker line (an HTML
# comment, invisible when the page is rendered) that says where it comes from, and match it:
#
#   <!-- excerpt: PATH -->          the block's lines are lines of PATH: split at lines that
#                                   hold only "..." (code left out), each part is found as
#                                   consecutive lines of PATH, the parts in order
#   <!-- diff: OLD NEW -->          the block is hunks of `diff -u OLD NEW` (labelled OLD and
#   <!-- diff -U1: OLD NEW -->      NEW; -UN: N lines of context): each of its hunks, from
#                                   one @@ line to the next, is one of the real hunks, whole
#
# PATHs are relative to the repository's top.  Besides, every test named in backquotes
# (`test_...`) must be a START_TEST of tests/*.c, and every repository path in backquotes
# (`dll/...`, `examples/...`, `tests/...`, `host/...`, `scripts/...`, `docs/...`, `def/...`)
# must exist.  Each mismatch is listed; exit 1 if there is one.  make check runs it on
# docs/levels.md and docs/exercises.md, so a page cannot drift from the code it shows.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);

my $top = dirname(dirname(abs_path($0)));
my $bad = 0;
my %file_cache;

sub complain { print STDERR "doc-snippets: $_[0]\n"; $bad = 1; }

sub lines_of {
    my ($path) = @_;
    return $file_cache{$path} //= do {
        open(my $fh, '<', "$top/$path") or return undef;
        my @l = map { s/\r?\n\z//r } <$fh>;
        \@l;
    };
}

# The index after the first run of @$want in @$have at or after $from, or -1.
sub find_run {
    my ($have, $want, $from) = @_;
    for my $i ($from .. @$have - @$want) {
        my $ok = 1;
        for my $k (0 .. $#$want) {
            if ($have->[$i + $k] ne $want->[$k]) { $ok = 0; last; }
        }
        return $i + @$want if $ok;
    }
    return -1;
}

sub check_excerpt {
    my ($where, $path, $block) = @_;
    my $lines = lines_of($path);
    return complain("$where: $path does not exist") unless $lines;
    my @parts = ([]);
    for my $l (@$block) {
        if ($l =~ /^\s*\.\.\.\s*$/) { push @parts, []; } else { push @{$parts[-1]}, $l; }
    }
    my $from = 0;
    for my $p (grep { @$_ } @parts) {
        my $end = find_run($lines, $p, $from);
        if ($end < 0) {
            my $first = $p->[0];
            return complain("$where: these lines are not in $path (in this order), from: $first");
        }
        $from = $end;
    }
}

sub hunks {   # the hunks of a unified diff's lines, each one string
    my @h;
    for my $l (@_) {
        if ($l =~ /^@@ /) { push @h, "$l\n"; }
        elsif (@h) { $h[-1] .= "$l\n"; }
    }
    return @h;
}

sub check_diff {
    my ($where, $ctx, $old, $new, $block) = @_;
    for my $p ($old, $new) {
        return complain("$where: $p does not exist") unless -f "$top/$p";
    }
    my @real = map { s/\r?\n\z//r }
        `cd '$top' && diff -U$ctx --label '$old' --label '$new' '$old' '$new'`;
    my %real = map { $_ => 1 } hunks(@real);
    return complain("$where: $old and $new do not differ") unless %real;
    my @shown = hunks(@$block);
    return complain("$where: the diff block has no \@\@ hunk") unless @shown;
    for my $h (@shown) {
        next if $real{$h};
        my ($head) = split /\n/, $h;
        complain("$where: the hunk '$head' is not a hunk of `diff -U$ctx $old $new` now");
    }
    for my $l (@$block) {
        last if $l =~ /^@@ /;
        complain("$where: '$l' is not diff's header line") unless $l eq "--- $old" || $l eq "+++ $new";
    }
}

my %tests;
for my $t (glob("$top/tests/*.c")) {
    open(my $fh, '<', $t) or die "doc-snippets: $t: $!\n";
    while (<$fh>) { $tests{$1} = 1 if /^START_TEST\((\w+)\)/; }
}

for my $doc (@ARGV) {
    open(my $fh, '<', $doc) or die "doc-snippets: $doc: $!\n";
    my @lines = map { s/\r?\n\z//r } <$fh>;
    close $fh;
    my ($marker, $marker_line);
    for (my $i = 0; $i < @lines; $i++) {
        my $l = $lines[$i];
        my $where = "$doc:" . ($i + 1);
        if ($l =~ /^<!--\s*(excerpt|diff)(?:\s+-U(\d+))?:\s*(.*?)\s*-->\s*$/) {
            $marker = [$1, $2 // 3, split(' ', $3)];
            $marker_line = $i;
            next;
        }
        if ($l =~ /^```(\w*)\s*$/ && $1 ne '') {
            my $lang = $1;
            my @block;
            my $j = $i + 1;
            push @block, $lines[$j++] while $j < @lines && $lines[$j] !~ /^```\s*$/;
            my $m = defined $marker_line && $marker_line >= $i - 2 ? $marker : undef;
            if ($lang =~ /^(c|cpp|diff)$/) {
                if (!$m) {
                    complain("$where: a ```$lang block without an excerpt or diff marker");
                } elsif ($m->[0] eq 'excerpt' && $lang ne 'diff' && @$m == 3) {
                    check_excerpt($where, $m->[2], \@block);
                } elsif ($m->[0] eq 'diff' && $lang eq 'diff' && @$m == 4) {
                    check_diff($where, $m->[1], $m->[2], $m->[3], \@block);
                } else {
                    complain("$where: a ```$lang block under a '$m->[0]' marker with " .
                             (@$m - 2) . " path(s)");
                }
            }
            undef $marker_line;
            $i = $j;
            next;
        }
        while ($l =~ /`(test_\w+)`/g) {
            complain("$where: `$1` is not a test of tests/*.c") unless $tests{$1};
        }
        while ($l =~ m{`((?:dll|examples|tests|host|scripts|docs|def)/[\w./-]*\w)`}g) {
            complain("$where: `$1` does not exist") unless -e "$top/$1";
        }
    }
}
print STDERR "doc-snippets: a page no longer shows the code it names: fix the page or the marker\n"
    if $bad;
exit $bad;
