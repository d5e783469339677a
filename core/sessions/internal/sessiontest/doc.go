// Package sessiontest holds the helpers the tests of core/sessions and
// its subpackages share: backends on a clock, a backend that fails on
// demand, and the suite every serializer runs. Tests only; it imports
// none of the optional packages (see extratest).
package sessiontest
