import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each case starts the `holdfast` binary through tsx, which loads the whole platform's code.
    testTimeout: 30_000,
  },
});
