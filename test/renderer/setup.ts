/**
 * jsdom setup for the screen tests: Testing Library cleans up after each test.
 */
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';

afterEach(() => cleanup());
