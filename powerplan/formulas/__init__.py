"""The analytic engine: closed-form verdict chances, averaged over the funnel."""
