// SPDX-License-Identifier: GPL-2.0
/*
 * The hyperv_resvd_new parser (common/resvd.c): every form the kernel
 * accepts, every form it refuses, and what it accepts but should not.
 */
#include <string.h>

#include "kselftest_harness.h"

#include "resvd.h"

/* The value as Azure's DCas_cc_v5 L1 (Mariner 5.15.126.mshv9) has it. */
#define AZURE "0x1000!0x933000,0x17400000!0x104e00000,0x1000!0x1000,0x4e00000!0x100000000"

static int parse(const char *s, struct resvd_list *list, struct resvd_error *err)
{
	return resvd_parse(s, strlen(s), list, err);
}

/* @s_ fails with @code_ in range @index_ at offset @pos_. */
#define EXPECT_PARSE_ERROR(s_, code_, index_, pos_) do {			\
	struct resvd_list l_;							\
	struct resvd_error e_;							\
	unsigned int want_index_ = (index_), want_pos_ = (pos_);		\
	char prefix_[48];							\
										\
	EXPECT_EQ(-(code_), parse(s_, &l_, &e_)) TH_LOG("%s: %s", s_, e_.msg);	\
	EXPECT_EQ(code_, e_.code);						\
	EXPECT_EQ(want_index_, e_.index) TH_LOG("%s: %s", s_, e_.msg);		\
	EXPECT_EQ(want_pos_, e_.pos) TH_LOG("%s: %s", s_, e_.msg);		\
	snprintf(prefix_, sizeof(prefix_), "range %u at offset %u: ",		\
		 want_index_, want_pos_);					\
	EXPECT_EQ(0, strncmp(e_.msg, prefix_, strlen(prefix_))) TH_LOG("%s", e_.msg); \
} while (0)

TEST(azure_string_has_four_ranges)
{
	struct resvd_list l;
	struct resvd_error e;

	ASSERT_EQ(0, parse(AZURE, &l, &e)) TH_LOG("%s", e.msg);
	ASSERT_EQ(4, l.nr);
	EXPECT_EQ(0x933000ULL, l.r[0].start);
	EXPECT_EQ(0x1000ULL, l.r[0].size);
	EXPECT_EQ(0x104e00000ULL, l.r[1].start);
	EXPECT_EQ(0x17400000ULL, l.r[1].size);
	EXPECT_EQ(0x1000ULL, l.r[2].start);
	EXPECT_EQ(0x1000ULL, l.r[2].size);
	EXPECT_EQ(0x100000000ULL, l.r[3].start);
	EXPECT_EQ(0x4e00000ULL, l.r[3].size);
	/* Range 3 ends where range 1 begins: touching is not overlapping. */
	EXPECT_EQ(l.r[1].start, l.r[3].start + l.r[3].size);
}

TEST(adjacent_ranges_either_order)
{
	struct resvd_list l;
	struct resvd_error e;

	EXPECT_EQ(0, parse("0x1000!0x10000,0x1000!0x11000", &l, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(0, parse("0x1000!0x11000,0x1000!0x10000", &l, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(2, l.nr);
}

TEST(number_forms)
{
	struct resvd_list l;
	struct resvd_error e;

	ASSERT_EQ(0, parse("0X1000!0XABCD000", &l, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(0xabcd000ULL, l.r[0].start);
	ASSERT_EQ(0, parse("0x1000!0xAbCdE000", &l, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(0xabcde000ULL, l.r[0].start);
	ASSERT_EQ(0, parse("1000!933000", &l, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(0x1000ULL, l.r[0].size);
	EXPECT_EQ(0x933000ULL, l.r[0].start);
	/* Leading zeros beyond 16 digits are still 64 bits. */
	ASSERT_EQ(0, parse("0x00000000000000000001000!0x2000", &l, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(0x1000ULL, l.r[0].size);
	/* The highest range that ends at 2^64 - 1. */
	ASSERT_EQ(0, parse("0x1000!0xfffffffffffff000", &l, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(0xfffffffffffff000ULL, l.r[0].start);
}

TEST(trailing_comma_is_accepted_as_by_the_kernel)
{
	struct resvd_list l;
	struct resvd_error e;

	ASSERT_EQ(0, parse("0x1000!0x2000,", &l, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(1, l.nr);
	EXPECT_PARSE_ERROR("0x1000!0x2000,,", RESVD_ERR_SYNTAX, 1, 14);
}

TEST(thirty_two_ranges_but_not_thirty_three)
{
	char s[40 * 32];
	struct resvd_list l;
	struct resvd_error e;
	size_t len = 0, pos33;

	for (unsigned int i = 0; i < 33; i++)
		len += sprintf(s + len, "%s0x1000!0x%x", i ? "," : "", (i + 1) * 0x2000);
	pos33 = strrchr(s, ',') - s + 1;
	ASSERT_EQ(0, resvd_parse(s, pos33 - 1, &l, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(32, l.nr);
	EXPECT_EQ(32ULL * 0x2000, l.r[31].start);
	/* The 32nd with a trailing comma is still 32. */
	ASSERT_EQ(0, resvd_parse(s, pos33, &l, &e)) TH_LOG("%s", e.msg);
	EXPECT_PARSE_ERROR(s, RESVD_ERR_TOO_MANY, 32, pos33);
}

TEST(zero_size_or_start)
{
	EXPECT_PARSE_ERROR("0!0x1000", RESVD_ERR_ZERO_SIZE, 0, 0);
	EXPECT_PARSE_ERROR("0x0!0x1000", RESVD_ERR_ZERO_SIZE, 0, 0);
	EXPECT_PARSE_ERROR("0x1000!0x2000,0x1000!0", RESVD_ERR_ZERO_START, 1, 21);
	EXPECT_PARSE_ERROR("0x1000!0x000", RESVD_ERR_ZERO_START, 0, 7);
	/* 2^64 wraps to 0 in the kernel's simple_strtoull(): refused as 0. */
	EXPECT_PARSE_ERROR("0x10000000000000000!0x1000", RESVD_ERR_ZERO_SIZE, 0, 0);
}

TEST(empty)
{
	EXPECT_PARSE_ERROR("", RESVD_ERR_EMPTY, 0, 0);
}

TEST(garbage)
{
	EXPECT_PARSE_ERROR("hello", RESVD_ERR_SYNTAX, 0, 0);
	EXPECT_PARSE_ERROR(",", RESVD_ERR_SYNTAX, 0, 0);
	EXPECT_PARSE_ERROR("!0x1000", RESVD_ERR_SYNTAX, 0, 0);
	EXPECT_PARSE_ERROR("0x!0x1000", RESVD_ERR_SYNTAX, 0, 2);
	EXPECT_PARSE_ERROR("0x1000", RESVD_ERR_SYNTAX, 0, 6);
	EXPECT_PARSE_ERROR("0x1000?0x2000", RESVD_ERR_SYNTAX, 0, 6);
	EXPECT_PARSE_ERROR("0x1000!", RESVD_ERR_SYNTAX, 0, 7);
	EXPECT_PARSE_ERROR("0x1000!0x2000zz", RESVD_ERR_SYNTAX, 0, 13);
	EXPECT_PARSE_ERROR("0x1000!0x2000!0x3000", RESVD_ERR_SYNTAX, 0, 13);
	EXPECT_PARSE_ERROR("0x1000!0x2000;0x1000!0x4000", RESVD_ERR_SYNTAX, 0, 13);
	EXPECT_PARSE_ERROR("-0x1000!0x2000", RESVD_ERR_SYNTAX, 0, 0);
	EXPECT_PARSE_ERROR("+0x1000!0x2000", RESVD_ERR_SYNTAX, 0, 0);
	EXPECT_PARSE_ERROR(" 0x1000!0x2000", RESVD_ERR_SYNTAX, 0, 0);
	EXPECT_PARSE_ERROR("0x1000 !0x2000", RESVD_ERR_SYNTAX, 0, 6);
	EXPECT_PARSE_ERROR("0x0x1000!0x2000", RESVD_ERR_ZERO_SIZE, 0, 0);
	EXPECT_PARSE_ERROR("0x1000!0x2000,0xg000!0x4000", RESVD_ERR_SYNTAX, 1, 16);
}

TEST(messages_say_what_was_found)
{
	struct resvd_list l;
	struct resvd_error e;

	parse("0x1000!0x2000zz", &l, &e);
	EXPECT_STREQ("range 0 at offset 13: expected ',' after the start, found 'z'", e.msg);
	parse("0x1000!", &l, &e);
	EXPECT_STREQ("range 0 at offset 7: expected a hexadecimal start, found the end", e.msg);
	EXPECT_EQ(-RESVD_ERR_SYNTAX, resvd_parse("0x1000!0x2000\0", 14, &l, &e));
	EXPECT_STREQ("range 0 at offset 13: expected ',' after the start, found byte 0x00", e.msg);
	parse("0!0x1000", &l, &e);
	EXPECT_STREQ("range 0 at offset 0: size 0 (the kernel refuses this)", e.msg);
}

TEST(length_not_nul_bounds_the_input)
{
	static const char s[] = "0x1000!0x2000,garbage";
	struct resvd_list l;
	struct resvd_error e;

	ASSERT_EQ(0, resvd_parse(s, 13, &l, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(1, l.nr);
	EXPECT_EQ(0x2000ULL, l.r[0].start);
	/* Cut inside the start: 0x20. */
	EXPECT_EQ(-RESVD_ERR_UNALIGNED, resvd_parse(s, 11, &l, &e));
}

TEST(wider_than_64_bits)
{
	struct resvd_list l;
	struct resvd_error e;

	/* The kernel keeps the low 64 bits (0x1000) and goes on. */
	EXPECT_PARSE_ERROR("0x10000000000001000!0x2000", RESVD_ERR_NUMBER, 0, 0);
	EXPECT_PARSE_ERROR("0x1000!0x2000,0x1000!0x10000000000004000", RESVD_ERR_NUMBER, 1, 21);
	parse("0x10000000000001000!0x2000", &l, &e);
	EXPECT_NE(NULL, strstr(e.msg, "size wider than 64 bits"));
}

TEST(overflow)
{
	EXPECT_PARSE_ERROR("0x2000!0xfffffffffffff000", RESVD_ERR_OVERFLOW, 0, 0);
	EXPECT_PARSE_ERROR("0x1000!0x1000,0xffffffffffffffff!0x2000", RESVD_ERR_OVERFLOW, 1, 14);
}

TEST(unaligned)
{
	EXPECT_PARSE_ERROR("0x1001!0x10000", RESVD_ERR_UNALIGNED, 0, 0);
	EXPECT_PARSE_ERROR("0x1000!0x10800", RESVD_ERR_UNALIGNED, 0, 7);
	EXPECT_PARSE_ERROR("0x1000!0x10000,0x800!0x20000", RESVD_ERR_UNALIGNED, 1, 15);
}

TEST(duplicate)
{
	struct resvd_list l;
	struct resvd_error e;

	EXPECT_PARSE_ERROR("0x1000!0x10000,0x1000!0x10000", RESVD_ERR_DUPLICATE, 1, 15);
	EXPECT_PARSE_ERROR(AZURE ",0x1000!0x933000", RESVD_ERR_DUPLICATE, 4, strlen(AZURE) + 1);
	parse(AZURE ",0x1000!0x933000", &l, &e);
	EXPECT_NE(NULL, strstr(e.msg, "the same as range 0"));
}

TEST(overlap)
{
	struct resvd_list l;
	struct resvd_error e;

	EXPECT_PARSE_ERROR("0x2000!0x10000,0x1000!0x11000", RESVD_ERR_OVERLAP, 1, 15);
	/* One inside another, given either way round. */
	EXPECT_PARSE_ERROR("0x10000!0x10000,0x1000!0x14000", RESVD_ERR_OVERLAP, 1, 16);
	EXPECT_PARSE_ERROR("0x1000!0x14000,0x10000!0x10000", RESVD_ERR_OVERLAP, 1, 15);
	/* Same start, other size: an overlap, not a duplicate. */
	EXPECT_PARSE_ERROR("0x1000!0x10000,0x2000!0x10000", RESVD_ERR_OVERLAP, 1, 15);
	parse("0x2000!0x10000,0x1000!0x11000", &l, &e);
	EXPECT_STREQ("range 1 at offset 15: 0x11000-0x11fff overlaps range 0", e.msg);
}

TEST(old_2023_form_is_recognised)
{
	struct resvd_list l;
	struct resvd_error e;

	EXPECT_PARSE_ERROR("0x80,0x7f6f6018", RESVD_ERR_OLD_FORM, 0, 0);
	parse("0x80,0x7f6f6018", &l, &e);
	EXPECT_NE(NULL, strstr(e.msg, "the 2023 form <size>,<addr>")) TH_LOG("%s", e.msg);
	EXPECT_NE(NULL, strstr(e.msg, "0x80 bytes at 0x7f6f6018")) TH_LOG("%s", e.msg);
	/* Three numbers, or a '!' anywhere: the current form, malformed. */
	EXPECT_PARSE_ERROR("0x80,0x7f6f6018,0x10", RESVD_ERR_SYNTAX, 0, 4);
	EXPECT_PARSE_ERROR("0x1000!0x2000,0x80", RESVD_ERR_SYNTAX, 1, 18);
}

TEST(cmdline_finds_the_parameter)
{
	static const char line[] =
		"BOOT_IMAGE=/vmlinuz ro quiet hyperv_resvd_new=" AZURE " rd.x=1\n";
	struct resvd_param p;
	struct resvd_list l;
	struct resvd_error e;

	ASSERT_TRUE(resvd_cmdline_find(line, strlen(line), 0, &p));
	EXPECT_TRUE(p.has_value);
	EXPECT_EQ(strlen(AZURE), p.len);
	EXPECT_EQ(0, memcmp(line + p.off, AZURE, p.len));
	EXPECT_FALSE(resvd_cmdline_find(line, strlen(line), 1, &p));
	EXPECT_EQ(1, resvd_parse_cmdline(line, strlen(line), &l, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(4, l.nr);
}

TEST(cmdline_absent)
{
	static const char *const lines[] = {
		"", "\n", "ro quiet", "hyperv_resvd=3,7,20", "xhyperv_resvd_new=0x1000!0x2000",
		"hyperv_resvd_new2=0x1000!0x2000", "hyperv_resvd_ne=0x1000!0x2000",
		"ro -- hyperv_resvd_new=0x1000!0x2000", "ro\0hyperv_resvd_new=0x1000!0x2000",
	};
	struct resvd_list l;
	struct resvd_error e;

	for (unsigned int i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		/* The NUL case needs its real length. */
		size_t len = strlen(lines[i]) + (i == 8 ? 1 + strlen(lines[i] + 3) : 0);

		EXPECT_EQ(0, resvd_parse_cmdline(lines[i], len, &l, &e)) TH_LOG("line %u", i);
		EXPECT_EQ(0, l.nr);
	}
}

TEST(cmdline_words_as_the_kernel_splits_them)
{
	static const struct {
		const char *line;
		const char *value;
	} cases[] = {
		{ "hyperv-resvd-new=0x1000!0x2000", "0x1000!0x2000" },
		{ "hyperv_resvd-new=0x1000!0x2000", "0x1000!0x2000" },
		{ "ro\thyperv_resvd_new=0x1000!0x2000\tquiet", "0x1000!0x2000" },
		/* The kernel's isspace() takes Latin-1's no-break space too. */
		{ "ro\xa0hyperv_resvd_new=0x1000!0x2000", "0x1000!0x2000" },
		{ "hyperv_resvd_new=\"0x1000!0x2000\" quiet", "0x1000!0x2000" },
		{ "\"hyperv_resvd_new=0x1000!0x2000\" quiet", "0x1000!0x2000" },
		{ "  hyperv_resvd_new=0x1000!0x2000  ", "0x1000!0x2000" },
		{ "hyperv_resvd_new=", "" },
		/* A quote keeps the word going past a space; mid-value quotes stay. */
		{ "hyperv_resvd_new=0x1000!0x2000\" x\"", "0x1000!0x2000\" x\"" },
		{ "a=\"b c\" hyperv_resvd_new=0x1000!0x2000", "0x1000!0x2000" },
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct resvd_param p;

		ASSERT_TRUE(resvd_cmdline_find(cases[i].line, strlen(cases[i].line), 0, &p))
			TH_LOG("%s", cases[i].line);
		EXPECT_TRUE(p.has_value);
		EXPECT_EQ(strlen(cases[i].value), p.len) TH_LOG("%s", cases[i].line);
		EXPECT_EQ(0, memcmp(cases[i].line + p.off, cases[i].value, p.len))
			TH_LOG("%s", cases[i].line);
	}
}

TEST(cmdline_every_occurrence_is_parsed_the_last_is_kept)
{
	static const char two[] = "hyperv_resvd_new=0x1000!0x2000 ro hyperv_resvd_new=" AZURE;
	static const char bad_first[] = "hyperv_resvd_new=0x1000!0 hyperv_resvd_new=" AZURE;
	struct resvd_list l;
	struct resvd_error e;

	EXPECT_EQ(2, resvd_parse_cmdline(two, strlen(two), &l, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(4, l.nr);
	EXPECT_EQ(-RESVD_ERR_ZERO_START, resvd_parse_cmdline(bad_first, strlen(bad_first), &l, &e));
	EXPECT_EQ(0, e.occurrence);
	EXPECT_EQ(7, e.pos);
}

TEST(cmdline_without_value)
{
	static const char line[] = "ro hyperv_resvd_new quiet";
	struct resvd_param p;
	struct resvd_list l;
	struct resvd_error e;

	ASSERT_TRUE(resvd_cmdline_find(line, strlen(line), 0, &p));
	EXPECT_FALSE(p.has_value);
	EXPECT_EQ(-RESVD_ERR_NO_VALUE, resvd_parse_cmdline(line, strlen(line), &l, &e));
	EXPECT_EQ(-RESVD_ERR_EMPTY, resvd_parse_cmdline("hyperv_resvd_new=", 17, &l, &e));
	EXPECT_EQ(-RESVD_ERR_NO_VALUE,
		  resvd_parse_cmdline("\"hyperv_resvd_new\"", 18, &l, &e));
}

TEST_HARNESS_MAIN
