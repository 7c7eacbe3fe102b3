//! The drivers: a `Sensor` with two implementors and the seed's `Widget`, both
//! `#[dyn_trait]` traits. Without `dynptr`'s `box` feature there is no default
//! strategy: every wrapper names its own (`Inline<N>`).
#![allow(async_fn_in_trait)]

use dynptr::dyn_trait;

pub(crate) use embedded_demo::YieldOnce;

/// A sensor on some bus, read asynchronously.
#[dyn_trait]
pub(crate) trait Sensor {
    /// Reads one sample.
    async fn read(&mut self) -> u16;
}

/// A sensor whose samples count up from 1.
#[derive(Debug)]
pub(crate) struct Ramp(pub(crate) u16);

impl Sensor for Ramp {
    async fn read(&mut self) -> u16 {
        YieldOnce::new().await;
        self.0 = self.0.wrapping_add(1);
        self.0
    }
}

/// A sensor whose samples start at `next` and grow by `step`.
#[derive(Debug)]
pub(crate) struct Steps {
    /// The next sample.
    pub(crate) next: u16,
    /// The increment.
    pub(crate) step: u16,
}

impl Sensor for Steps {
    async fn read(&mut self) -> u16 {
        YieldOnce::new().await;
        let sample = self.next;
        self.next = self.next.wrapping_add(self.step);
        sample
    }
}

/// Reads `n` samples from `sensor` and sums them (generic: static dispatch for a
/// concrete sensor, dynamic for a `DynSensor`).
pub(crate) async fn sum_reads<S: Sensor>(sensor: &mut S, n: u16) -> u32 {
    let mut total = 0u32;
    for _ in 0..n {
        total += u32::from(sensor.read().await);
    }
    total
}

/// One part of a widget (the seed's `WidgetComponent`; a number here, no `String`
/// without an allocator).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WidgetComponent(pub(crate) u16);

impl From<u16> for WidgetComponent {
    fn from(v: u16) -> Self {
        WidgetComponent(v)
    }
}

/// The seed's `Widget` (part 7), without `transmit`: its `impl Factory` argument needs
/// a `Default` strategy whose future fits a `DynFactory` holding that strategy, which
/// only an allocating fallback (`InlineOr`) provides.
#[dyn_trait]
pub(crate) trait Widget {
    /// Adds a component (`impl Into` is converted by the caller, before the call).
    async fn augment(&mut self, component: impl Into<WidgetComponent>);
    /// The components so far.
    fn components(&self) -> impl Iterator<Item = WidgetComponent>;
}

/// A widget with room for eight components, in a fixed array.
#[derive(Debug)]
pub(crate) struct Button {
    parts: [WidgetComponent; 8],
    len: usize,
}

impl Button {
    /// A button made of one `frame` component.
    pub(crate) const fn new(frame: u16) -> Self {
        let mut parts = [WidgetComponent(0); 8];
        parts[0] = WidgetComponent(frame);
        Button { parts, len: 1 }
    }
}

impl Widget for Button {
    async fn augment(&mut self, component: impl Into<WidgetComponent>) {
        YieldOnce::new().await;
        if let Some(place) = self.parts.get_mut(self.len) {
            *place = component.into();
            self.len += 1;
        }
    }

    fn components(&self) -> impl Iterator<Item = WidgetComponent> {
        self.parts[..self.len].iter().copied()
    }
}

/// Adds two components to `w` and sums the component values.
pub(crate) async fn build_widget<W: Widget>(w: &mut W) -> u32 {
    w.augment(20u16).await;
    w.augment(WidgetComponent(300)).await;
    w.components().map(|c| u32::from(c.0)).sum()
}
