import type { Metadata } from 'next';
import { HomeScreen } from './home-screen';

export const metadata: Metadata = { title: 'Sign-in requests' };

export default function HomePage() {
  return <HomeScreen />;
}
