/* SPDX-License-Identifier: BSD-2-Clause */
/* noop.c: a process that does nothing, linked like the tools. */
int
main(void)
{
	return 0;
}
